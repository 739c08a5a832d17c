#if canImport(Glibc)
import Glibc
#endif
import CairnEngine

public let cairnVersion = "0.1.0"

/// Process entry: configuration, logging, listening, then the event loop on the main thread.
public enum CairnServerMain {
    public static func run(_ arguments: [String]) -> Never {
        let log = Logger()
        var net = NetworkSettings()
        var i = 1
        while i + 1 < arguments.count {
            if arguments[i] == "--port", let p = Int(arguments[i + 1]) { net.port = p }
            i += 2
        }
        let engine = Engine()
        let server = Server(engine: engine, net: net, log: log)
        log.notice("oO0OoO0OoO0Oo Cairn is starting oO0OoO0OoO0Oo")
        log.notice("Cairn version=\(cairnVersion), bits=64, pid=\(getpid()), just started")
        do {
            try server.listen()
        } catch {
            log.warning((error as? Sockets.Failure)?.message ?? "\(error)")
            exit(1)
        }
        log.notice("Running mode=standalone, port=\(net.port).")
        log.notice("Server initialized")
        log.notice("Ready to accept connections tcp")
        server.run()
        exit(server.exitCode)
    }
}
