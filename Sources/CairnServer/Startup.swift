#if canImport(Glibc)
import Glibc
#endif
import CairnEngine
import CairnPersistence
import CSystem

public let cairnVersion = "0.1.0"

/// Process entry: configuration, logging, listening, then the event loop on the main thread.
public enum CairnServerMain {
    public static func run(_ arguments: [String]) -> Never {
        if arguments.count == 2 && ["-v", "--version"].contains(arguments[1]) {
            print("Cairn server v=\(cairnVersion) (Redis \(Engine.compatibleRedisVersion) compatible) bits=64")
            exit(0)
        }
        if arguments.count == 2 && ["-h", "--help"].contains(arguments[1]) {
            print("Usage: cairn-server [/path/to/cairn.conf] [options] [-]\n       cairn-server -v or --version\n       cairn-server -h or --help\n\nExamples:\n       cairn-server (run the server with default config)\n       cairn-server /etc/cairn/6379.conf\n       cairn-server --port 7777\n       cairn-server /etc/mycairn.conf --loglevel verbose -\n       cairn-server /etc/mycairn.conf --loglevel verbose\n")
            exit(0)
        }
        csystem_tune_allocator()
        let config = ConfigRegistry(version: cairnVersion)
        let commandLine = ServerCommandLine(arguments: arguments)
        do {
            try config.load(commandLine)
        } catch {
            fputs(error.message + "\n", stderr)
            exit(1)
        }
        let settings = config.settings
        let log = Logger()
        if let problem = log.setFile(settings.logFile) {
            fputs(problem + "\n", stderr)
            exit(1)
        }
        log.level = Logger.Level(name: settings.logLevel.rawValue) ?? .notice
        if settings.daemonize { daemonize() }
        if !settings.pidFile.isEmpty { writePidFile(settings.pidFile, log: log) }

        var engineSettings = EngineSettings()
        engineSettings.databases = settings.databases
        let engine = Engine(settings: engineSettings)
        let server = Server(engine: engine, config: config, log: log)
        server.applySettings()
        if let report = server.loadAccessControl() {
            if !report.isEmpty { fputs(report + "\n", stderr) }
            exit(1)
        }
        config.logWarning = { log.warning($0) }
        installConfigHooks(server)

        log.notice("oO0OoO0OoO0Oo Cairn is starting oO0OoO0OoO0Oo")
        log.notice("Cairn version=\(cairnVersion), bits=64, commit=00000000, modified=0, pid=\(getpid()), just started")
        if let file = commandLine.configFile { log.notice("Configuration loaded from \(file)") }
        else { log.warning("Warning: no config file specified, using the default config. In order to specify a config file use cairn-server /path/to/cairn.conf") }
        ThreadPlacement.configure(cpuLists(settings, log: log))
        do {
            try server.listen()
        } catch {
            log.warning((error as? Sockets.Failure)?.message ?? "\(error)")
            exit(1)
        }
        log.notice("Running mode=standalone, port=\(settings.port).")
        log.notice("Server initialized")
        // As Redis: with appendonly on, the AOF alone describes the dataset and dump.rdb is not read.
        if settings.appendOnly {
            if !server.startAppendOnlyFile() { exit(1) }
        } else {
            server.loadAtStartup()
        }
        server.startReplication()
        log.notice("Ready to accept connections tcp")
        if !settings.unixSocket.isEmpty { log.notice("Ready to accept connections unix") }
        // As Redis, the loop moves to its CPUs once loading is done; threads it starts from now inherit them.
        if let problem = ThreadPlacement.placeCurrentThread(.eventLoop) {
            log.warning("Could not set the event loop's CPUs (server_cpulist \(settings.serverCpulist)): \(problem)")
        }
        server.run()
        if !settings.pidFile.isEmpty { unlink(settings.pidFile) }
        exit(server.exitCode)
    }

    /// The configured CPU lists by thread role. A list naming only CPUs this machine does not have is left
    /// out with a warning: the kernel would refuse it in every thread.
    static func cpuLists(_ settings: ServerSettings, log: Logger) -> [ThreadRole: CPUList] {
        let present = Int32(sysconf(Int32(_SC_NPROCESSORS_CONF)))
        var lists: [ThreadRole: CPUList] = [:]
        for (role, name, key) in ServerSettings.cpuListDirectives {
            let text = settings[keyPath: key]
            guard !text.isEmpty, let list = CPUList(text) else { continue }
            if list.cpus.contains(where: { $0 < present }) {
                lists[role] = list
            } else {
                log.warning("\(name) \(text) names no CPU of this machine (it has \(present)): ignored")
            }
        }
        return lists
    }

    /// CONFIG SET of directives whose new value must reach the running server, not only the settings.
    static func installConfigHooks(_ server: Server) {
        let config = server.config
        config.onApply("port") { (_: Int) -> String? in server.rebind() }
        config.onApply("bind") { (_: [String]) -> String? in server.rebind() }
        config.onApply("logfile") { (path: String) -> String? in server.log.setFile(path) }
        config.onApply("appendonly") { (on: Bool) -> String? in server.setAppendOnly(on) }
        config.onApply("appendfsync") { (p: AppendFsync) -> String? in
            server.aof.setPolicy(AppendOnlyFile.policy(p))
            server.watchAOFWriter()
            return nil
        }
        config.onApply("requirepass") { (password: String) -> String? in
            server.engine.acl.setDefaultPassword(password.isEmpty ? nil : Bytes(password.utf8))
            return nil
        }
        config.onApply("maxmemory") { (limit: Int) -> String? in server.maxmemoryChanged(limit) }
        // MISCONF follows these at once, as Redis checks them on every write.
        config.onApply("stop-writes-on-bgsave-error") { (_: Bool) -> String? in
            server.refreshWriteRefusal()
            return nil
        }
        config.onApply("save") { (_: [SavePoint]) -> String? in
            server.refreshWriteRefusal()
            return nil
        }
        config.onApply("maxclients") { (_: Int) -> String? in
            server.raiseFileLimit()
            return nil
        }
    }

    /// Classic double-detach: the parent exits, the child leads a new session with stdio on /dev/null.
    /// Runs before any thread exists, so fork is safe.
    static func daemonize() {
        let pid = fork()
        if pid < 0 { exit(1) }
        if pid > 0 { exit(0) }
        setsid()
        let fd = open("/dev/null", O_RDWR)
        if fd >= 0 {
            dup2(fd, 0)
            dup2(fd, 1)
            dup2(fd, 2)
            if fd > 2 { close(fd) }
        }
    }

    static func writePidFile(_ path: String, log: Logger) {
        guard let f = fopen(path, "w") else {
            log.warning("Failed to write PID file: \(String(cString: strerror(errno)))")
            return
        }
        fputs("\(getpid())\n", f)
        fclose(f)
    }
}
