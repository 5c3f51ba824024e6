#ifndef CLIBFUZZER_SHIM_H
#define CLIBFUZZER_SHIM_H
// libFuzzer's driver, for an executable that has its own main (SwiftPM's executables do).
// No library to link: `-sanitize=fuzzer` brings libFuzzer.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
