/* Shell tokeniser for the setup-script lint: reads POSIX sh and common bash the way a shell would
 * and returns a flat list of simple commands with their operators and nesting. Comments, quoted
 * text and heredoc bodies are data, never commands. Never fails: malformed input (unterminated
 * quotes, heredocs or `$(`) yields the commands read up to that point. */
#ifndef GPUWARDEN_SHLEX_H
#define GPUWARDEN_SHLEX_H

#include <stdbool.h>
#include <stddef.h>

/* Compound commands nested deeper than this are skipped unparsed (and `truncated` is set). */
#define SHLEX_MAX_DEPTH 64

enum shlex_op {
    SHLEX_OP_NONE,
    SHLEX_OP_SEMI,
    SHLEX_OP_AND,
    SHLEX_OP_OR,
    SHLEX_OP_PIPE,
    SHLEX_OP_BG
};

enum shlex_kind {
    SHLEX_IF,
    SHLEX_FOR, /* also `select` */
    SHLEX_WHILE,
    SHLEX_UNTIL,
    SHLEX_CASE,
    SHLEX_BRACE,    /* { ...; } */
    SHLEX_SUBSHELL, /* ( ... ) */
    SHLEX_FUNC,     /* a function body */
    SHLEX_SUBST,    /* $(...), `...`, <(...), >(...) */
};

/* Context flags of a command. */
enum {
    SHLEX_BG = 1u << 0,      /* part of a job started with `&` */
    SHLEX_COND = 1u << 1,    /* in the condition of an if, elif, while or until */
    SHLEX_LOOP = 1u << 2,    /* in a for, while or until loop */
    SHLEX_INFUNC = 1u << 3,  /* in a function body */
    SHLEX_INSUBST = 1u << 4, /* in a command substitution */
    SHLEX_NEGATED = 1u << 5, /* preceded by `!` */
};

struct shlex_cmd {
    int line;      /* 1-based line where it starts (a continued command reports its first line) */
    char **words;  /* quote-removed text; expansions stay literal ("$HOME", "$(seq 1 3)"), a
                      substitution's text cut after 4 KiB */
    size_t nwords; /* may be 0: a bare redirection */
    char **redirs; /* operator and target: ">&2", "2>&1", ">/dev/null", "<<EOF" */
    size_t nredirs;
    char *heredoc;    /* body of its first heredoc, NULL if none: data, never parsed as commands,
                         kept to see what an interpreter reads (`python - <<EOF`) */
    enum shlex_op op; /* operator after it (NONE: newline, end, or a closing keyword) */
    enum shlex_op prev_op; /* operator before it in its and-or list (NONE at the list start) */
    size_t chain;          /* index of the first command of its and-or list (nested ones too) */
    size_t job;            /* with SHLEX_BG: index of the first command of the background job */
    int block;             /* innermost enclosing block, -1 at top level */
    int func;              /* innermost enclosing SHLEX_FUNC block, -1 */
    int subst;             /* innermost enclosing SHLEX_SUBST block, -1 */
    unsigned flags;        /* SHLEX_BG, ... */
};

struct shlex_block {
    enum shlex_kind kind;
    int line;
    int parent;        /* enclosing block, -1 */
    size_t first, end; /* the commands [first, end) lie inside (headers and conditions too) */
    size_t body;       /* while/until: first command after `do`; else `first` */
    enum shlex_op op;  /* operator after its closing word */
    bool endless;      /* for ((...; ; ...)) with no condition */
    char *name;        /* SHLEX_FUNC: the function's name (owned) */
};

struct shlex_script {
    struct shlex_cmd *cmds; /* in the order the shell reads them: a $(...) before its command */
    size_t ncmds;
    struct shlex_block *blocks;
    size_t nblocks;
    bool truncated; /* something nested deeper than SHLEX_MAX_DEPTH was skipped */
};

/* Tokenises `len` bytes (need not be NUL-terminated; NUL bytes count as blanks). Fills *out;
 * caller frees with shlex_free(). */
void shlex_parse(const char *text, size_t len, struct shlex_script *out);
void shlex_free(struct shlex_script *s);

#endif
