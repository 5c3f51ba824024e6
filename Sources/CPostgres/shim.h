#ifndef CPOSTGRES_SHIM_H
#define CPOSTGRES_SHIM_H
/* libpq's types come from its header; its functions are looked up in libpq.so.5 when a
   PostgreSQL store is first opened (cpq_load), not linked. Linking libpq loaded it and the
   twenty libraries it needs (Kerberos, LDAP, GnuTLS, ...) into every start of both
   programs, SQLite users' included: about 2.7 ms of each start on this project's machines.
   The Swift side calls cpq_PQ... for PQ... (PostgresConnection). */
#include <postgresql/libpq-fe.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

/* X(return type, name, parameters, arguments) for each libpq function used. */
#define CPQ_FUNCTIONS(X) \
    X(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand), (keywords, values, expand)) \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn)) \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn)) \
    X(int, PQconnectionNeedsPassword, (const PGconn *conn), (conn)) \
    X(int, PQconnectionUsedPassword, (const PGconn *conn), (conn)) \
    X(void, PQfinish, (PGconn *conn), (conn)) \
    X(int, PQbackendPID, (const PGconn *conn), (conn)) \
    X(PGresult *, PQexecParams, (PGconn *conn, const char *command, int count, const Oid *types, const char *const *values, \
                                 const int *lengths, const int *formats, int resultFormat), \
      (conn, command, count, types, values, lengths, formats, resultFormat)) \
    X(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query)) \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res)) \
    X(char *, PQresultErrorField, (const PGresult *res, int field), (res, field)) \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res)) \
    X(void, PQclear, (PGresult *res), (res)) \
    X(int, PQntuples, (const PGresult *res), (res)) \
    X(int, PQnfields, (const PGresult *res), (res)) \
    X(char *, PQcmdTuples, (PGresult *res), (res)) \
    X(char *, PQfname, (const PGresult *res, int field), (res, field)) \
    X(Oid, PQftype, (const PGresult *res, int field), (res, field)) \
    X(int, PQgetisnull, (const PGresult *res, int row, int field), (res, row, field)) \
    X(char *, PQgetvalue, (const PGresult *res, int row, int field), (res, row, field)) \
    X(int, PQgetlength, (const PGresult *res, int row, int field), (res, row, field))

#define CPQ_POINTER(ret, name, params, args) ret (*name) params;
struct cpq_state {
    struct { CPQ_FUNCTIONS(CPQ_POINTER) } table;
    /* Why libpq could not be loaded; NULL once it is. */
    const char *failure;
    /* dlerror's message, copied: its own buffer is reused by the next dlerror call. */
    char message[512];
    pthread_once_t once;
};
#undef CPQ_POINTER

/* The process's one state (a static local of an inline function: Swift's importer emits
   those, not a header's static variables). Each Swift file that calls these emits its own
   copy in a debug build, so only PostgresConnection.swift calls them. */
static inline struct cpq_state *cpq_state(void) {
    static struct cpq_state state = { .failure = "libpq was never loaded", .once = PTHREAD_ONCE_INIT };
    return &state;
}

static inline void cpq_open(void) {
    struct cpq_state *state = cpq_state();
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *error = dlerror();
        snprintf(state->message, sizeof state->message, "%s", error != NULL ? error : "libpq.so.5 cannot be loaded");
        state->failure = state->message;
        return;
    }
#define CPQ_LOOKUP(ret, name, params, args) \
    if ((*(void **)&state->table.name = dlsym(library, #name)) == NULL) { state->failure = "libpq.so.5 lacks " #name; return; }
    CPQ_FUNCTIONS(CPQ_LOOKUP)
#undef CPQ_LOOKUP
    state->failure = NULL;
}

/* Loads libpq once per process; NULL when every function was found, else why not. */
static inline const char *cpq_load(void) {
    pthread_once(&cpq_state()->once, cpq_open);
    return cpq_state()->failure;
}

/* cpq_PQ...: libpq's PQ..., once cpq_load has succeeded. */
#define CPQ_WRAPPER(ret, name, params, args) static inline ret cpq_##name params { return cpq_state()->table.name args; }
CPQ_FUNCTIONS(CPQ_WRAPPER)
#undef CPQ_WRAPPER

#endif
