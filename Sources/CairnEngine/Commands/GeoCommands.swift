import RESP

extension Engine {
    func registerGeoCommands() {
        let read: [String] = ["@read", "@geo", "@slow"]
        let write: [String] = ["@write", "@geo", "@slow"]
        let g = "geo"
        register("geoadd", arity: -5, flags: [.write, .denyOOM], keys: .one, categories: write, group: g, handler: geoaddCommand)
        register("geodist", arity: -4, flags: [.readonly], keys: .one, categories: read, group: g, handler: geodistCommand)
        register("geohash", arity: -2, flags: [.readonly], keys: .one, categories: read, group: g) { ctx throws(CommandError) in
            try geoMembersCommand(ctx) { ctx, score in
                guard let score else { ctx.out.null(); return }
                ctx.out.bulk(GeoHash.geohashString(score: score))
            }
        }
        register("geopos", arity: -2, flags: [.readonly], keys: .one, categories: read, group: g) { ctx throws(CommandError) in
            try geoMembersCommand(ctx) { ctx, score in
                guard let score else { ctx.out.nullArray(); return }
                let p = GeoHash.position(score: score)
                ctx.out.array(2)
                replyCoordinate(ctx, p.lon)
                replyCoordinate(ctx, p.lat)
            }
        }
        register("georadius", arity: -6, flags: [.write, .denyOOM], keys: .one, categories: write, group: g) { ctx throws(CommandError) in
            try geoSearch(ctx, .radiusFromLonLat, storeAllowed: true)
        }
        register("georadius_ro", arity: -6, flags: [.readonly], keys: .one, categories: read, group: g) { ctx throws(CommandError) in
            try geoSearch(ctx, .radiusFromLonLat, storeAllowed: false)
        }
        register("georadiusbymember", arity: -5, flags: [.write, .denyOOM], keys: .one, categories: write, group: g) { ctx throws(CommandError) in
            try geoSearch(ctx, .radiusFromMember, storeAllowed: true)
        }
        register("georadiusbymember_ro", arity: -5, flags: [.readonly], keys: .one, categories: read, group: g) { ctx throws(CommandError) in
            try geoSearch(ctx, .radiusFromMember, storeAllowed: false)
        }
        register("geosearch", arity: -7, flags: [.readonly], keys: .one, categories: read, group: g) { ctx throws(CommandError) in
            try geoSearch(ctx, .search, storeAllowed: false)
        }
        register("geosearchstore", arity: -8, flags: [.write, .denyOOM], keys: KeyPositions(first: 1, last: 2, step: 1), categories: write, group: g) { ctx throws(CommandError) in
            try geoSearch(ctx, .searchStore, storeAllowed: false)
        }
    }
}

extension CommandError {
    static let couldNotDecodeMember = CommandError("ERR could not decode requested zset member")
}

// MARK: - Arguments

/// Redis's extractLongLatOrReply: two floats, then the GEO limits.
private func lonLatArguments(_ a: Args, _ i: Int) throws(CommandError) -> (lon: Double, lat: Double) {
    let lon = try a.double(i), lat = try a.double(i + 1)
    guard GeoHash.validCoordinates(lon: lon, lat: lat) else {
        throw CommandError("ERR invalid longitude,latitude pair \(DoubleFormat.cFormat("%f", lon)),\(DoubleFormat.cFormat("%f", lat))")
    }
    return (lon, lat)
}

/// Meters per unit.
private func unitArgument(_ a: Args, _ i: Int) throws(CommandError) -> Double {
    if a.isKeyword(i, "m") { return 1 }
    if a.isKeyword(i, "km") { return 1000 }
    if a.isKeyword(i, "ft") { return 0.3048 }
    if a.isKeyword(i, "mi") { return 1609.34 }
    throw CommandError("ERR unsupported unit provided. please use M, KM, FT, MI")
}

private func floatArgument(_ a: Args, _ i: Int, _ error: String) throws(CommandError) -> Double {
    guard let v = NumberParsing.double(a[i]) else { throw CommandError(error) }
    return v
}

/// A radius and its unit, as extractDistanceOrReply checks them.
private func radiusArguments(_ a: Args, _ i: Int, into shape: inout GeoShape) throws(CommandError) {
    let r = try floatArgument(a, i, "ERR need numeric radius")
    if r < 0 { throw CommandError("ERR radius cannot be negative") }
    shape.kind = .radius(r)
    shape.toMeters = try unitArgument(a, i + 1)
}

/// A box's width, height and unit, as extractBoxOrReply checks them.
private func boxArguments(_ a: Args, _ i: Int, into shape: inout GeoShape) throws(CommandError) {
    let w = try floatArgument(a, i, "ERR need numeric width")
    let h = try floatArgument(a, i + 1, "ERR need numeric height")
    if w < 0 || h < 0 { throw CommandError("ERR height or width cannot be negative") }
    shape.kind = .box(width: w, height: h)
    shape.toMeters = try unitArgument(a, i + 2)
}

// MARK: - Replies

/// A coordinate as Redis's addReplyHumanLongDouble writes it: %.17Lf with trailing zeros trimmed.
private func replyCoordinate(_ ctx: CommandContext, _ v: Double) {
    let text = NumberFormatting.longDoubleHuman(Float80(v)) ?? []
    if ctx.client.resp3 {
        ctx.out.raw(",")
        ctx.out.bytes.append(contentsOf: text)
        ctx.out.raw("\r\n")
    } else {
        ctx.out.bulk(text)
    }
}

/// Distances are always written with four decimals.
private func replyDistance(_ ctx: CommandContext, _ meters: Double) {
    ctx.out.bulk(DoubleFormat.cFormat("%.4f", meters))
}

// MARK: - GEOADD, GEODIST, GEOHASH, GEOPOS

/// GEOADD is ZADD with coordinates: the arguments are rewritten to ZADD's (each pair turned into its 52-bit
/// score) and ZADD runs on them, so NX/XX/CH, replies, events and propagation (as that ZADD) are ZADD's own.
private func geoaddCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    var nx = false, xx = false
    var first = 2
    while first < a.count {
        if a.isKeyword(first, "nx") { nx = true }
        else if a.isKeyword(first, "xx") { xx = true }
        else if !a.isKeyword(first, "ch") { break }
        first += 1
    }
    if (a.count - first) % 3 != 0 || (nx && xx) { throw CommandError.syntax }
    var parts: [Bytes] = [Bytes("zadd".utf8)]
    for i in 1..<first { parts.append(a.bytes(i)) }
    for i in stride(from: first, to: a.count, by: 3) {
        let p = try lonLatArguments(a, i)
        let score = GeoHash.encode(lon: p.lon, lat: p.lat)!.score
        parts.append(IntegerFormat.bytes(Int64(score)))
        parts.append(a.bytes(i + 2))
    }
    let zadd = OwnedArgs(parts)
    let outcome = zadd.withArgs { args in
        Result { () throws(CommandError) in
            try zaddGeneric(CommandContext(engine: ctx.engine, client: ctx.client, args: args, command: ctx.command), incr: false)
        }
    }
    try outcome.get()
    ctx.propagate(as: [parts])
}

private func geodistCommand(_ ctx: CommandContext) throws(CommandError) {
    let a = ctx.args
    if a.count > 5 { throw CommandError.syntax }
    let toMeters = a.count == 5 ? try unitArgument(a, 4) : 1
    guard let z = try readCollection(ctx, a[1], .zset), let s1 = z.score(a[2]), let s2 = z.score(a[3]) else {
        ctx.out.null()
        return
    }
    let p1 = GeoHash.position(score: s1), p2 = GeoHash.position(score: s2)
    replyDistance(ctx, GeoHash.distance(lon1: p1.lon, lat1: p1.lat, lon2: p2.lon, lat2: p2.lat) / toMeters)
}

/// GEOHASH and GEOPOS: one reply per member named, given its score (nil when missing).
private func geoMembersCommand(_ ctx: CommandContext, _ reply: (CommandContext, Double?) -> Void) throws(CommandError) {
    let a = ctx.args
    let z = try readCollection(ctx, a[1], .zset)
    ctx.out.array(a.count - 2)
    for i in 2..<a.count { reply(ctx, z?.score(a[i])) }
}

// MARK: - Searches

private enum GeoSearchForm { case radiusFromLonLat, radiusFromMember, search, searchStore }

private struct GeoPoint {
    var member: Bytes
    var score: Double
    var lon: Double
    var lat: Double
    var distance: Double
}

/// The members of `z` inside the shape, cell by cell in Redis's scan order; with `limit` (ANY) it stops once
/// that many were found.
private func membersInside(_ z: SortedSetValue, _ shape: GeoShape, limit: Int) -> [GeoPoint] {
    var found: [GeoPoint] = []
    let cells = GeoHash.searchCells(shape)
    var lastScanned = 0
    for (i, cell) in cells.enumerated() where !cell.isNone {
        // Over huge radiuses neighbours can repeat; Redis compares each with the last cell it scanned other
        // than the centre.
        if lastScanned != 0 && cell == cells[lastScanned] { continue }
        if limit > 0 && found.count >= limit { break }
        let (min, max) = cell.scoreRange
        let first = z.partitionRank { $0.score < min }
        z.walk(from: first, reverse: false) { e in
            guard e.score < max else { return false }
            let p = GeoHash.position(score: e.score)
            if let d = GeoHash.distanceIfInside(shape, lon: p.lon, lat: p.lat) {
                found.append(GeoPoint(member: e.member, score: e.score, lon: p.lon, lat: p.lat, distance: d))
            }
            return !(limit > 0 && found.count >= limit)
        }
        lastScanned = i
    }
    return found
}

/// GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE, as Redis's
/// georadiusGeneric: the same argument order of checks, so the same error wins.
private func geoSearch(_ ctx: CommandContext, _ form: GeoSearchForm, storeAllowed: Bool) throws(CommandError) {
    let a = ctx.args
    let srcIndex = form == .searchStore ? 2 : 1
    let z = try readCollection(ctx, a[srcIndex], .zset)
    var shape = GeoShape()
    let base: Int
    var storeKey: Int? = form == .searchStore ? 1 : nil
    var storeDistance = false
    switch form {
    case .radiusFromLonLat:
        base = 6
        (shape.lon, shape.lat) = try lonLatArguments(a, 2)
        try radiusArguments(a, 4, into: &shape)
    case .radiusFromMember:
        base = 5
        if let z {
            guard let score = z.score(a[2]) else { throw CommandError.couldNotDecodeMember }
            (shape.lon, shape.lat) = GeoHash.position(score: score)
            try radiusArguments(a, 3, into: &shape)
        }
    case .search: base = 2
    case .searchStore: base = 3
    }
    let searching = form == .search || form == .searchStore
    var withDist = false, withHash = false, withCoord = false, any = false
    var fromMember = false, fromLonLat = false, byRadius = false, byBox = false
    var sort: Bool? = nil  // true for ascending
    var count = 0
    var i = base
    while i < a.count {
        let left = a.count - i - 1
        if a.isKeyword(i, "withdist") { withDist = true }
        else if a.isKeyword(i, "withhash") { withHash = true }
        else if a.isKeyword(i, "withcoord") { withCoord = true }
        else if a.isKeyword(i, "any") { any = true }
        else if a.isKeyword(i, "asc") { sort = true }
        else if a.isKeyword(i, "desc") { sort = false }
        else if a.isKeyword(i, "count") && left >= 1 {
            let n = try a.int64(i + 1)
            if n <= 0 { throw CommandError("ERR COUNT must be > 0") }
            count = Int(n)
            i += 1
        } else if storeAllowed && left >= 1 && (a.isKeyword(i, "store") || a.isKeyword(i, "storedist")) {
            storeDistance = a.isKeyword(i, "storedist")
            storeKey = i + 1
            i += 1
        } else if form == .searchStore && a.isKeyword(i, "storedist") {
            storeDistance = true
        } else if searching && !fromLonLat && left >= 1 && a.isKeyword(i, "frommember") {
            // A missing key is reported once every option is read, so its reply can depend on them.
            if let z {
                guard let score = z.score(a[i + 1]) else { throw CommandError.couldNotDecodeMember }
                (shape.lon, shape.lat) = GeoHash.position(score: score)
            }
            fromMember = true
            i += 1
        } else if searching && !fromMember && left >= 2 && a.isKeyword(i, "fromlonlat") {
            (shape.lon, shape.lat) = try lonLatArguments(a, i + 1)
            fromLonLat = true
            i += 2
        } else if searching && !byBox && left >= 2 && a.isKeyword(i, "byradius") {
            try radiusArguments(a, i + 1, into: &shape)
            byRadius = true
            i += 2
        } else if searching && !byRadius && left >= 3 && a.isKeyword(i, "bybox") {
            try boxArguments(a, i + 1, into: &shape)
            byBox = true
            i += 3
        } else {
            throw CommandError.syntax
        }
        i += 1
    }
    if storeKey != nil && (withDist || withHash || withCoord) {
        let what = form == .searchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"
        throw CommandError("ERR \(what) is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    }
    if searching && !(fromMember || fromLonLat) {
        throw CommandError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for \(a.text(0))")
    }
    if searching && !(byRadius || byBox) {
        throw CommandError("ERR exactly one of BYRADIUS and BYBOX can be specified for \(a.text(0))")
    }
    if any && count == 0 { throw CommandError("ERR the ANY argument requires COUNT argument") }

    let storeEvent = KeyspaceEvent(.zset, searching ? "geosearchstore" : "georadiusstore")
    guard let z else {
        if let storeKey {
            ctx.db.storeResult(a[storeKey], nil, event: storeEvent)
            ctx.out.integer(0)
        } else {
            ctx.out.array(0)
        }
        return
    }
    // COUNT alone means the nearest ones.
    if count > 0 && sort == nil && !any { sort = true }
    var points = membersInside(z, shape, limit: any ? count : 0)
    if let ascending = sort {
        points.sort { ascending ? $0.distance < $1.distance : $0.distance > $1.distance }
    }
    let n = count == 0 ? points.count : min(count, points.count)

    guard let storeKey else {
        let extras = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0)
        ctx.out.array(n)
        for p in points.prefix(n) {
            if extras > 0 { ctx.out.array(extras + 1) }
            ctx.out.bulk(p.member)
            if withDist { replyDistance(ctx, p.distance / shape.toMeters) }
            if withHash { ctx.out.integer(Int(p.score)) }
            if withCoord {
                ctx.out.array(2)
                replyCoordinate(ctx, p.lon)
                replyCoordinate(ctx, p.lat)
            }
        }
        return
    }
    // As Redis, the result is built as a skiplist and compacted when small enough.
    var dst = SortedSetValue(skiplistOf: points.prefix(n).map {
        ScoredMember($0.member, storeDistance ? $0.distance / shape.toMeters : $0.score)
    })
    dst.compactIfSmall(limits: SortedSetLimits(ctx.engine.settings))
    ctx.db.storeResult(a[storeKey], dst.isEmpty ? nil : .zset(dst), event: storeEvent)
    // Redis counts every stored member as a change; storeResult counted one.
    if n > 0 { ctx.engine.dirty += n - 1 }
    ctx.out.integer(n)
}
