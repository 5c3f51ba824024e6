// The executable's entry: libFuzzer's driver, calling fuzzManifest (FuzzManifest.swift) on each input,
// with libFuzzer's own arguments (-runs=, -max_len=, corpus directories, ...).
import CLibFuzzer
import Foundation

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzManifest(data.map(UnsafeRawPointer.init), size) })
