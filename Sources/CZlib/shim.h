#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
// deflateInit and inflateInit are macros in zlib.h; Swift cannot call macros.
static inline int czlib_deflate_init(z_stream *stream, int level) {
    return deflateInit(stream, level);
}
static inline int czlib_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
#endif
