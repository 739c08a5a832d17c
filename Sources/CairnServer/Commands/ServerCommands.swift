import RESP
import CairnEngine

extension Server {
    func registerServerCommands() {
    }
}
