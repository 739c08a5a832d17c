import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A test case that gets a fresh empty file at `path` for each test, removed afterwards.
class TemporaryFileTestCase: XCTestCase {
    var path = ""

    override func setUp() {
        super.setUp()
        var template = Array("/tmp/cairn-test-XXXXXX".utf8CString)
        close(mkstemp(&template))
        path = String(cString: template)
    }

    override func tearDown() {
        unlink(path)
        super.tearDown()
    }
}
