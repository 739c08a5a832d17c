#if canImport(Glibc)
import Glibc
#endif
import CairnTools

// cairn-dump: inspect, export, convert, repair, diff and restore RDB, AOF and JSONL dumps (see CairnTools).
exit(CairnDump.main(Array(CommandLine.arguments.dropFirst())))
