// The executable's entry: libFuzzer's driver, calling fuzzYAML (FuzzYAML.swift) on each input,
// with libFuzzer's own arguments (-runs=, -max_len=, corpus directories, ...).
import CLibFuzzer
import Foundation

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzYAML(data.map(UnsafeRawPointer.init), size) })
