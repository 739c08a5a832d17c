import RESP
import CairnEngine

extension Server {
    func registerServerCommands() {
        engine.register("shutdown", arity: -1, flags: [.admin, .noscript, .loading, .stale, .noMulti, .allowBusy], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            var nosave = false, save = false, abort = false, force = false
            for i in 1..<ctx.args.count {
                if ctx.args.isKeyword(i, "nosave") { nosave = true }
                else if ctx.args.isKeyword(i, "save") { save = true }
                else if ctx.args.isKeyword(i, "now") { continue }
                else if ctx.args.isKeyword(i, "force") { force = true }
                else if ctx.args.isKeyword(i, "abort") { abort = true }
                else { throw CommandError.syntax }
            }
            if (nosave && save) || (abort && ctx.args.count > 2) { throw CommandError.syntax }
            if abort { throw CommandError("ERR No shutdown in progress.") }
            log.warning("User requested shutdown...")
            if !finalSave(save: save, nosave: nosave) && !force { throw CommandError("ERR Errors trying to SHUTDOWN. Check logs.") }
            // The connection closes without a reply, as with Redis; the loop exits after this iteration.
            ctx.client.replyMode = .skipThis
            ctx.client.closeAfterReply = true
            requestShutdown()
        }
        engine.register("bgrewriteaof", arity: 1, flags: [.admin, .noscript], categories: ["@admin", "@slow", "@dangerous"], group: "server") { [unowned self] ctx throws(CommandError) in
            configureAOF()
            if let error = aof.startRewrite(engine: engine, settings: settings, log: log) { throw CommandError(error) }
            ctx.out.status("Background append only file rewriting started")
        }
    }
}
