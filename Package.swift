// swift-tools-version:6.0
import PackageDescription

let optimized: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cairn-server", targets: ["cairn-server"]),
        .executable(name: "cairn-check-aof", targets: ["cairn-check-aof"]),
        .executable(name: "cairn-dump", targets: ["cairn-dump"]),
        .executable(name: "cairn-check-rdb", targets: ["cairn-check-rdb"]),
    ],
    targets: [
        // Wire protocol: incremental RESP parser and RESP2/RESP3 reply writer. Imports no other Cairn module.
        .target(name: "RESP", swiftSettings: optimized),
        // Linux system interfaces (epoll, signalfd, accept4) that Glibc does not surface to Swift.
        .target(name: "CSystem"),
        // Keyspace, value types, expiry, the command table and the data commands.
        .target(name: "CairnEngine", dependencies: ["RESP", "CSystem"], swiftSettings: optimized),
        // AOF and RDB codecs (reader, writer, LZF, CRC-64, compact encodings), snapshot serialization and the
        // AOF writer and checker; shared by the server and the offline tools.
        .target(name: "CairnPersistence", dependencies: ["RESP", "CairnEngine", "CSystem"], swiftSettings: optimized),
        // Replication building blocks: backlog, PSYNC2 history, handshake, RDB transfer threads.
        .target(name: "CairnReplication", dependencies: ["RESP", "CairnEngine", "CairnPersistence", "CSystem"], swiftSettings: optimized),
        // Event loop, connections, configuration, INFO, logging, startup.
        .target(name: "CairnServer", dependencies: ["RESP", "CairnEngine", "CairnPersistence", "CairnReplication", "CSystem"], swiftSettings: optimized),
        .executableTarget(name: "cairn-server", dependencies: ["CairnServer"], swiftSettings: optimized),
        .executableTarget(name: "cairn-check-aof", dependencies: ["CairnPersistence", "CairnEngine"], swiftSettings: optimized),
        // The offline tools' logic (cairn-dump): codecs from CairnPersistence, nothing of the server.
        .target(name: "CairnTools", dependencies: ["RESP", "CairnEngine", "CairnPersistence"], swiftSettings: optimized),
        .executableTarget(name: "cairn-dump", dependencies: ["CairnTools"], swiftSettings: optimized),
        .testTarget(name: "CairnToolsTests", dependencies: ["CairnTools", "CairnPersistence", "CairnEngine"]),
        .executableTarget(name: "cairn-check-rdb", dependencies: ["CairnPersistence"], swiftSettings: optimized),
        .testTarget(name: "RESPTests", dependencies: ["RESP"]),
        .testTarget(name: "CairnEngineTests", dependencies: ["CairnEngine", "RESP"]),
        .testTarget(name: "CairnPersistenceTests", dependencies: ["CairnPersistence", "CairnEngine", "RESP"]),
        .testTarget(name: "CairnServerTests", dependencies: ["CairnServer"]),
        .testTarget(name: "CairnReplicationTests", dependencies: ["CairnReplication"]),
    ],
    swiftLanguageModes: [.v5]
)
