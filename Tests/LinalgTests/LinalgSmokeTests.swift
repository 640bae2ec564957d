import XCTest
@testable import Linalg
final class LinalgSmokeTests: XCTestCase { func testModuleLoads() {} }
