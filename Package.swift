// swift-tools-version:6.0
import PackageDescription

let optimized: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cairn-server", targets: ["cairn-server"]),
        .executable(name: "cairn-check-aof", targets: ["cairn-check-aof"]),
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
        // Event loop, connections, configuration, INFO, logging, startup.
        .target(name: "CairnServer", dependencies: ["RESP", "CairnEngine", "CairnPersistence", "CSystem"], swiftSettings: optimized),
        .executableTarget(name: "cairn-server", dependencies: ["CairnServer"], swiftSettings: optimized),
        .executableTarget(name: "cairn-check-aof", dependencies: ["CairnPersistence", "CairnEngine"], swiftSettings: optimized),
        .testTarget(name: "RESPTests", dependencies: ["RESP"]),
        .testTarget(name: "CairnEngineTests", dependencies: ["CairnEngine", "RESP"]),
        .testTarget(name: "CairnPersistenceTests", dependencies: ["CairnPersistence", "CairnEngine", "RESP"]),
        .testTarget(name: "CairnServerTests", dependencies: ["CairnServer"]),
    ],
    swiftLanguageModes: [.v5]
)
