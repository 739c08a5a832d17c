extension Engine {
    func registerBuiltinCommands() {
        registerStringCommands()
        registerKeyCommands()
        registerConnectionCommands()
        registerSessionCommands()
        registerTransactionCommands()
        registerBitmapCommands()
        registerHyperLogLogCommands()
        registerListCommands()
        registerSortCommands()
        registerBlockingListCommands()
        registerHashCommands()
        registerSetCommands()
        registerSortedSetCommands()
        registerBlockingSortedSetCommands()
        registerGeoCommands()
        registerStreamCommands()
        registerDebugCommands()
        registerIntrospectionCommands()
        registerSlowlogCommands()
        registerLatencyCommands()
        registerPubSubCommands()
        registerACLCommands()
    }

    /// Adds a command (or, with `parent`, a subcommand) to the table.
    @discardableResult
    public func register(_ name: String, arity: Int, flags: CommandFlags, keys: KeyPositions = .none,
                         categories: [String] = [], group: String, parent: Command? = nil,
                         handler: @escaping CommandHandler) -> Command {
        let c = Command(name: name, arity: arity, flags: flags, keys: keys, categories: categories,
                        group: group, parentName: parent?.name, handler: handler)
        precondition(nextACLID < ACLSelector.futureBit, "more commands than ACL bitmaps hold")
        c.aclID = nextACLID
        nextACLID += 1
        if let parent { parent.addSubcommand(c) } else { commands.register(c) }
        return c
    }

    /// A container command (CONFIG, CLIENT, OBJECT...) whose work is done by its subcommands.
    @discardableResult
    public func registerContainer(_ name: String, group: String) -> Command {
        register(name, arity: -2, flags: [], group: group) { ctx throws(CommandError) in
            throw CommandError.wrongArity(ctx.command.name)
        }
    }
}
