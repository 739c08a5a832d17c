import CairnEngine

extension ConfigDirective {
    /// A byte count with an optional unit, or a whole percentage (`10%`) of another setting, as Redis's
    /// PERCENT_CONFIG directives take it. A percentage is stored negated, as Redis stores it, so the setting
    /// stays one Int and 0 still means off; `maxPercent` bounds it.
    public static func memoryOrPercent<Root: AnyObject>(_ name: String, _ root: Root, _ key: ReferenceWritableKeyPath<Root, Int>,
                                                        maxPercent: Int) -> ConfigDirective {
        let format: (Int) -> String = { $0 < 0 ? "\(-$0)%" : String($0) }
        return ConfigDirective(name, get: { root[keyPath: key] }, set: { root[keyPath: key] = $0 },
                               parse: { args, _, _ throws(ConfigValueError) in try parseMemoryOrPercent(args[0], maxPercent: maxPercent) },
                               format: format,
                               rewrite: { n, v, d in
                                   [RewriteLine("\(n) \(v < 0 ? format(v) : ConfigRegistry.formatMemory(v))", force: v != d)]
                               })
    }

    static func parseMemoryOrPercent(_ s: String, maxPercent: Int) throws(ConfigValueError) -> Int {
        let invalid = ConfigValueError("argument must be a memory or percent value")
        let b = Array(s.utf8)
        if b.count > 1 && b.last == UInt8(ascii: "%") {
            guard let p = NumberParsing.int64(Array(b.dropLast())), p >= 0 else { throw invalid }
            guard p <= maxPercent else { throw ConfigValueError("percentage argument must be less or equal to \(maxPercent)") }
            return -Int(p)
        }
        guard let v = ConfigRegistry.memoryValue(s), let n = Int(exactly: v) else { throw invalid }
        return n
    }
}
