#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
// deflateInit2 and inflateInit are macros in zlib.h; Swift cannot call macros.
static inline int czlib_deflate_init2(z_stream *stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int czlib_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
#endif
