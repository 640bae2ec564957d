import XCTest
@testable import Recommenders
final class RecommendersSmokeTests: XCTestCase { func testModuleLoads() {} }
