public enum CairnServerMain { public static func run(_ args: [String]) {} }
