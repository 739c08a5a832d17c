import XCTest
@testable import CairnEngine

/// The geohash arithmetic behind the GEO commands, against values Redis documents and computes.
final class GeoHashTests: XCTestCase {
    func testEncodeMatchesRedisScores() {
        XCTAssertEqual(GeoHash.encode(lon: 13.361389, lat: 38.115556)?.score, 3_479_099_956_230_698)
        XCTAssertEqual(GeoHash.encode(lon: 15.087269, lat: 37.502669)?.score, 3_479_447_370_796_909)
        XCTAssertNil(GeoHash.encode(lon: 180.0001, lat: 0))
        XCTAssertNil(GeoHash.encode(lon: 0, lat: 85.06))
        XCTAssertNotNil(GeoHash.encode(lon: -180, lat: -85.05112878))
    }

    func testDecodeGivesTheCellCentre() {
        let p = GeoHash.position(score: 3_479_099_956_230_698)
        XCTAssertEqual(NumberFormatting.longDoubleHuman(Float80(p.lon)).map { String(decoding: $0, as: UTF8.self) },
                       "13.36138933897018433")
        XCTAssertEqual(NumberFormatting.longDoubleHuman(Float80(p.lat)).map { String(decoding: $0, as: UTF8.self) },
                       "38.11555639549629859")
    }

    func testRoundTripStaysInsideTheCell() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let lon = Double.random(in: -180...180, using: &rng)
            let lat = Double.random(in: -GeoHash.latLimit...GeoHash.latLimit, using: &rng)
            let h = GeoHash.encode(lon: lon, lat: lat)!
            let area = GeoHash.decode(h)
            XCTAssert(area.lonMin <= lon && lon <= area.lonMax && area.latMin <= lat && lat <= area.latMax)
            let p = GeoHash.position(score: Double(h.score))
            XCTAssertEqual(GeoHash.encode(lon: p.lon, lat: p.lat), h)
            // A step-26 cell is well under a metre across.
            XCTAssertLessThan(GeoHash.distance(lon1: lon, lat1: lat, lon2: p.lon, lat2: p.lat), 1)
        }
    }

    func testGeohashStrings() {
        XCTAssertEqual(String(decoding: GeoHash.geohashString(score: 3_479_099_956_230_698), as: UTF8.self), "sqc8b49rny0")
        XCTAssertEqual(String(decoding: GeoHash.geohashString(score: 3_479_447_370_796_909), as: UTF8.self), "sqdtr74hyu0")
    }

    func testNeighboursAreTheAdjacentCells() {
        // Steps fine enough that no neighbour of this cell wraps around (at step 1 the grid is 2 × 2).
        for step: UInt8 in [3, 5, 13, 26] {
            let h = GeoHash.encode(lon: 13.4, lat: 38.1, step: step)!
            let c = GeoHash.decode(h)
            let n = GeoHash.neighbors(h).map(GeoHash.decode)
            let width = c.lonMax - c.lonMin, height = c.latMax - c.latMin
            // North, south, east, west, then the corners NE, NW, SE, SW.
            let expected: [(Double, Double)] = [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)]
            for (area, (dx, dy)) in zip(n, expected) {
                XCTAssertEqual(area.lonMin, c.lonMin + dx * width, accuracy: 1e-9, "step \(step)")
                XCTAssertEqual(area.latMin, c.latMin + dy * height, accuracy: 1e-9, "step \(step)")
            }
        }
        // East of the last column wraps to the first.
        let edge = GeoHash.encode(lon: 179.99, lat: 0, step: 10)!
        XCTAssertEqual(GeoHash.decode(GeoHash.neighbors(edge)[2]).lonMin, -180, accuracy: 1e-9)
    }

    func testScoresOutsideTheGeoRangeDecodeWithoutTrapping() {
        for s in [-5.0, 1e300, -1e300, .infinity, -.infinity, 4_503_599_627_370_496] {
            let p = GeoHash.position(score: s)
            XCTAssert(GeoHash.validCoordinates(lon: p.lon, lat: p.lat))
        }
    }

    func testStepEstimate() {
        XCTAssertEqual(GeoHash.estimateStep(meters: 0, lat: 0), 26)
        XCTAssertEqual(GeoHash.estimateStep(meters: 1, lat: 0), 24)
        XCTAssertEqual(GeoHash.estimateStep(meters: 1, lat: 70), 23)
        XCTAssertEqual(GeoHash.estimateStep(meters: 1, lat: -81), 22)
        XCTAssertEqual(GeoHash.estimateStep(meters: 50_000_000, lat: 0), 1)
    }
}
