import XCTest
@testable import RecData
final class RecDataSmokeTests: XCTestCase { func testModuleLoads() {} }
