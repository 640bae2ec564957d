import Foundation

/// Runs an external program (`curl`, `unzip`) found on `PATH`, capturing stdout; a non-zero exit
/// status throws `DataError.tool` with the command line and the tail of stderr.
enum ExternalTool {
    static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw DataError.tool(command: ([tool] + arguments).joined(separator: " "), status: -1,
                                 stderr: "cannot start: \(error.localizedDescription)")
        }
        // Drain stderr concurrently so a chatty tool cannot block on a full pipe.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: errBox.data.suffix(2000), as: UTF8.self)
            throw DataError.tool(command: ([tool] + arguments).joined(separator: " "),
                                 status: process.terminationStatus, stderr: tail)
        }
        return data
    }

    private final class DataBox: @unchecked Sendable { var data = Data() }
}
