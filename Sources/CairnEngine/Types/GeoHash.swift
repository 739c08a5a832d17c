#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A geohash cell: `step` bits of latitude interleaved with `step` bits of longitude (latitude in the even
/// bits). The GEO commands store a member's position as the 52-bit hash of step 26, as its sorted-set score.
struct GeoHashBits: Equatable {
    var bits: UInt64
    var step: UInt8

    /// The cleared cell Redis's neighbour search skips.
    static let none = GeoHashBits(bits: 0, step: 0)
    var isNone: Bool { bits == 0 && step == 0 }

    /// The cell's bits left-aligned to 52, the score form: every point inside scores in `scoreRange`.
    var score: UInt64 { bits << (52 - 2 * UInt64(step)) }

    /// Scores of the points inside this cell: its aligned prefix up to (excluding) the next cell's.
    var scoreRange: (min: Double, max: Double) {
        (Double(score), Double(GeoHashBits(bits: bits &+ 1, step: step).score))
    }
}

/// The bounds of a geohash cell, in degrees.
struct GeoArea {
    var lonMin, lonMax, latMin, latMax: Double
}

/// A search shape: a circle of `radius`, or a `width` × `height` box, centred on (lon, lat). Sizes are in the
/// request's unit; `toMeters` converts them.
struct GeoShape {
    enum Kind { case radius(Double), box(width: Double, height: Double) }
    var lon = 0.0, lat = 0.0
    var kind = Kind.radius(0)
    var toMeters = 1.0
}

/// Redis's geohash arithmetic (geohash.c, geohash_helper.c): Web-Mercator latitude limits, step-26 cells,
/// haversine distances on its Earth radius, and the nine cells a search scans.
enum GeoHash {
    static let maxStep: UInt8 = 26
    static let latLimit = 85.05112878
    static let lonLimit = 180.0
    static let earthRadius = 6372797.560856
    private static let mercatorMax = 20037726.37
    private static let degToRad = Double.pi / 180

    static func validCoordinates(lon: Double, lat: Double) -> Bool {
        lon >= -lonLimit && lon <= lonLimit && lat >= -latLimit && lat <= latLimit
    }

    /// Spreads the low 32 bits of `v` to the even bit positions.
    private static func spread(_ v: UInt32) -> UInt64 {
        var x = UInt64(v)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x << 2)) & 0x3333_3333_3333_3333
        x = (x | (x << 1)) & 0x5555_5555_5555_5555
        return x
    }

    /// Gathers the even bits of `v` into the low 32.
    private static func gather(_ v: UInt64) -> UInt32 {
        var x = v & 0x5555_5555_5555_5555
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333
        x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
        return UInt32(x)
    }

    /// The cell of `step` holding the point, within the given latitude range (GEOHASH re-encodes with the
    /// standard ±90). Nil outside the GEO limits or the range.
    static func encode(lon: Double, lat: Double, step: UInt8 = maxStep,
                       latRange: (min: Double, max: Double) = (-latLimit, latLimit)) -> GeoHashBits? {
        guard validCoordinates(lon: lon, lat: lat), lat >= latRange.min, lat <= latRange.max else { return nil }
        let cells = Double(UInt64(1) << UInt64(step))
        let latOffset = (lat - latRange.min) / (latRange.max - latRange.min) * cells
        let lonOffset = (lon + lonLimit) / (2 * lonLimit) * cells
        return GeoHashBits(bits: spread(UInt32(latOffset)) | (spread(UInt32(lonOffset)) << 1), step: step)
    }

    static func decode(_ h: GeoHashBits) -> GeoArea {
        let lat = gather(h.bits), lon = gather(h.bits >> 1)
        let cells = Double(UInt64(1) << UInt64(h.step))
        let latScale = 2 * latLimit, lonScale = 2 * lonLimit
        // `&+ 1` wraps as C's unsigned arithmetic does for the (impossible for real positions) last index.
        return GeoArea(lonMin: -lonLimit + Double(lon) / cells * lonScale,
                       lonMax: -lonLimit + Double(lon &+ 1) / cells * lonScale,
                       latMin: -latLimit + Double(lat) / cells * latScale,
                       latMax: -latLimit + Double(lat &+ 1) / cells * latScale)
    }

    /// A member's position: the centre of its step-26 cell, kept inside the GEO limits.
    static func position(score: Double) -> (lon: Double, lat: Double) {
        let a = decode(GeoHashBits(bits: scoreBits(score), step: maxStep))
        let lon = min(max((a.lonMin + a.lonMax) / 2, -lonLimit), lonLimit)
        let lat = min(max((a.latMin + a.latMax) / 2, -latLimit), latLimit)
        return (lon, lat)
    }

    /// A score as C's (uint64_t) cast of it comes out of x86-64's signed conversion (out-of-range values
    /// give 2^63; from 2^63 up, 2^63 is subtracted first and its bit put back), so any score a plain ZADD
    /// stored decodes to what Redis shows instead of trapping.
    static func scoreBits(_ score: Double) -> UInt64 {
        let twoTo63 = 9_223_372_036_854_775_808.0
        if score >= twoTo63 { return score - twoTo63 < twoTo63 ? UInt64(score) : 0 }
        return score > -twoTo63 ? UInt64(bitPattern: Int64(score)) : 1 << 63
    }

    /// The 11-character base32 geohash of the standard (±90 latitude) encoding; its last character is
    /// always '0' as the 52 bits fill only ten.
    static func geohashString(score: Double) -> [UInt8] {
        let alphabet = Array("0123456789bcdefghjkmnpqrstuvwxyz".utf8)
        let p = position(score: score)
        let bits = encode(lon: p.lon, lat: p.lat, latRange: (-90, 90))?.bits ?? 0
        var out = [UInt8](repeating: alphabet[0], count: 11)
        for i in 0..<10 { out[i] = alphabet[Int((bits >> UInt64(52 - (i + 1) * 5)) & 0x1f)] }
        return out
    }

    private static let lonBits: UInt64 = 0xAAAA_AAAA_AAAA_AAAA
    private static let latBits: UInt64 = 0x5555_5555_5555_5555

    /// Moves a cell one column (along `axis`, `lonBits` or `latBits`) up (+1) or down (-1) with wrap-around,
    /// as geohash_move_x and geohash_move_y: the other axis's bits are filled with ones so a carry or borrow
    /// crosses them.
    private static func move(_ h: GeoHashBits, _ d: Int, _ axis: UInt64) -> GeoHashBits {
        let shift = 64 - 2 * UInt64(h.step)
        var moving = h.bits & axis
        let fixed = h.bits & ~axis
        let zz = ~axis >> shift
        moving = d > 0 ? moving &+ (zz &+ 1) : (moving | zz) &- (zz &+ 1)
        moving &= axis >> shift
        return GeoHashBits(bits: moving | fixed, step: h.step)
    }

    private static func moveX(_ h: GeoHashBits, _ d: Int) -> GeoHashBits { move(h, d, lonBits) }
    private static func moveY(_ h: GeoHashBits, _ d: Int) -> GeoHashBits { move(h, d, latBits) }

    /// The eight cells around `h`, in the order Redis scans them: north, south, east, west, north-east,
    /// north-west, south-east, south-west.
    static func neighbors(_ h: GeoHashBits) -> [GeoHashBits] {
        [moveY(h, 1), moveY(h, -1), moveX(h, 1), moveX(h, -1),
         moveY(moveX(h, 1), 1), moveY(moveX(h, -1), 1), moveY(moveX(h, 1), -1), moveY(moveX(h, -1), -1)]
    }

    /// The coarsest step whose cells still cover `meters` (geohashEstimateStepsByRadius), one coarser near
    /// the poles where cells narrow.
    static func estimateStep(meters: Double, lat: Double) -> UInt8 {
        if meters == 0 { return maxStep }
        var range = meters
        var step = 1
        while range < mercatorMax {
            range *= 2
            step += 1
        }
        step -= 2
        if lat > 66 || lat < -66 {
            step -= 1
            if lat > 80 || lat < -80 { step -= 1 }
        }
        return UInt8(min(max(step, 1), Int(maxStep)))
    }

    static func latDistance(_ lat1: Double, _ lat2: Double) -> Double {
        earthRadius * abs(lat2 * degToRad - lat1 * degToRad)
    }

    /// Haversine distance in meters.
    static func distance(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
        let v = sin((lon2 * degToRad - lon1 * degToRad) / 2)
        if v == 0 { return latDistance(lat1, lat2) }
        let lat1r = lat1 * degToRad, lat2r = lat2 * degToRad
        let u = sin((lat2r - lat1r) / 2)
        let a = u * u + cos(lat1r) * cos(lat2r) * v * v
        return 2 * earthRadius * asin(a.squareRoot())
    }

    /// The distance from the shape's centre when the point is inside the shape, else nil.
    static func distanceIfInside(_ shape: GeoShape, lon: Double, lat: Double) -> Double? {
        switch shape.kind {
        case .radius(let r):
            let d = distance(lon1: shape.lon, lat1: shape.lat, lon2: lon, lat2: lat)
            return d > r * shape.toMeters ? nil : d
        case .box(let width, let height):
            if latDistance(lat, shape.lat) > height * shape.toMeters / 2 { return nil }
            if distance(lon1: lon, lat1: lat, lon2: shape.lon, lat2: lat) > width * shape.toMeters / 2 { return nil }
            return distance(lon1: shape.lon, lat1: shape.lat, lon2: lon, lat2: lat)
        }
    }

    /// The cells whose points a search must test (geohashCalculateAreasByShapeWGS84): the centre's cell at
    /// the estimated step (one coarser when a neighbour would not reach the shape's bounding box) and its
    /// eight neighbours, those lying wholly outside the box cleared to `.none`. Index 0 is the centre.
    static func searchCells(_ shape: GeoShape) -> [GeoHashBits] {
        let halfHeight: Double, halfWidth: Double, reach: Double
        switch shape.kind {
        case .radius(let r):
            (halfHeight, halfWidth, reach) = (r, r, r)
        case .box(let w, let h):
            (halfHeight, halfWidth) = (h / 2, w / 2)
            reach = (halfWidth * halfWidth + halfHeight * halfHeight).squareRoot()
        }
        let latDelta = halfHeight * shape.toMeters / earthRadius / degToRad
        let lonDeltaTop = halfWidth * shape.toMeters / earthRadius / cos((shape.lat + latDelta) * degToRad) / degToRad
        let lonDeltaBottom = halfWidth * shape.toMeters / earthRadius / cos((shape.lat - latDelta) * degToRad) / degToRad
        // The box is widest on the side nearer the equator.
        let lonDelta = shape.lat < 0 ? lonDeltaBottom : lonDeltaTop
        let minLon = shape.lon - lonDelta, maxLon = shape.lon + lonDelta
        let minLat = shape.lat - latDelta, maxLat = shape.lat + latDelta

        var step = estimateStep(meters: reach * shape.toMeters, lat: shape.lat)
        var centre = encode(lon: shape.lon, lat: shape.lat, step: step) ?? .none
        var around = neighbors(centre)
        let tooSmall = decode(around[0]).latMax < maxLat || decode(around[1]).latMin > minLat
            || decode(around[2]).lonMax < maxLon || decode(around[3]).lonMin > minLon
        if step > 1 && tooSmall {
            step -= 1
            centre = encode(lon: shape.lon, lat: shape.lat, step: step) ?? .none
            around = neighbors(centre)
        }
        if step >= 2 {
            let area = decode(centre)
            // Indexes into `around`: 0 N, 1 S, 2 E, 3 W, 4 NE, 5 NW, 6 SE, 7 SW.
            if area.latMin < minLat { for i in [1, 7, 6] { around[i] = .none } }
            if area.latMax > maxLat { for i in [0, 4, 5] { around[i] = .none } }
            if area.lonMin < minLon { for i in [3, 7, 5] { around[i] = .none } }
            if area.lonMax > maxLon { for i in [2, 6, 4] { around[i] = .none } }
        }
        return [centre] + around
    }
}
