/* The shell tokeniser behind lint (see shlex.h): a character lexer for words, operators,
 * redirections and heredocs under a recursive-descent parser for lists and compound commands.
 * Command substitutions are parsed where the lexer meets them, so their commands come first. */
#include "shlex.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct sbuf {
    char *p;
    size_t n, cap;
};

enum tok_kind { TK_EOF, TK_WORD, TK_OP, TK_NL, TK_REDIR };

struct tok {
    enum tok_kind kind;
    int line;
    bool literal; /* a word with no quotes, escapes or expansions: may be a keyword */
    char op[4];
    char *text; /* TK_WORD, TK_REDIR: owned */
    long body;  /* TK_REDIR of a heredoc: its body's index in lexer.bodies, else -1 */
};

struct heredoc {
    char *delim;
    bool strip_tabs; /* <<- */
    size_t body;     /* where its text goes in lexer.bodies */
};

#define MAX_PENDING_HEREDOCS 256
/* A substitution's raw text in a word is cut here, so nested ones cannot multiply the input. */
#define SUBST_TEXT_MAX 4096

struct lexer {
    const char *s;
    size_t len, pos;
    int line;
    struct shlex_script *out;
    size_t capc, capb;
    struct tok la; /* one token of lookahead */
    bool has_la;
    struct heredoc *hd; /* delimiters waiting for the next newline */
    size_t nhd, caphd;
    char **bodies; /* heredoc texts, handed to their commands at the end */
    size_t nbodies, capbodies;
    long *cmd_body; /* per command: index in bodies of its first heredoc, -1 */
    size_t capcb;
    int depth;
    bool dbracket; /* inside [[ ]]: && || ( ) < > are words */
    int block, func, subst;
    unsigned flags;
};

/* What ends a command list: closing keywords and operators. */
enum {
    STOP_THEN = 1 << 0,
    STOP_ELIF = 1 << 1,
    STOP_ELSE = 1 << 2,
    STOP_FI = 1 << 3,
    STOP_DO = 1 << 4,
    STOP_DONE = 1 << 5,
    STOP_ESAC = 1 << 6,
    STOP_RBRACE = 1 << 7,
    STOP_RPAREN = 1 << 8,
    STOP_DSEMI = 1 << 9,
    STOP_EOF = 1 << 10,
};

/* A parsed pipeline element: a simple command or a compound command (a block). */
struct item {
    long cmd;
    int block;
};

static const struct item no_item = {-1, -1};

static int parse_list(struct lexer *lx, int mask);
static struct item parse_command(struct lexer *lx, enum shlex_op prev, size_t chain, int mask);

/* --- buffers --------------------------------------------------------------------------- */

static void sb_putc(struct sbuf *b, char c)
{
    xgrow((void **)&b->p, &b->cap, b->n + 2, 1);
    b->p[b->n++] = c ? c : ' ';
    b->p[b->n] = '\0';
}

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    xgrow((void **)&b->p, &b->cap, b->n + n + 1, 1);
    char *d = b->p + b->n;
    memcpy(d, s, n);
    for (char *z = memchr(d, '\0', n); z; z = memchr(z, '\0', n - (size_t)(z - d)))
        *z = ' ';
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_put_cut(struct sbuf *b, const char *s, size_t n)
{
    if (n <= SUBST_TEXT_MAX) {
        sb_put(b, s, n);
    } else {
        sb_put(b, s, SUBST_TEXT_MAX);
        sb_put(b, "...", 3);
    }
}

static char *sb_take(struct sbuf *b)
{
    char *p = b->p ? b->p : xstrdup("");
    memset(b, 0, sizeof *b);
    return p;
}

static void push_str(char ***arr, size_t *n, size_t *cap, char *s)
{
    xgrow((void **)arr, cap, *n + 1, sizeof **arr);
    (*arr)[(*n)++] = s;
}

/* --- characters ------------------------------------------------------------------------ */

/* The byte at i, -1 past the end; NUL reads as a blank so it can never end a C string early. */
static int at(const struct lexer *lx, size_t i)
{
    if (i >= lx->len)
        return -1;
    unsigned char c = (unsigned char)lx->s[i];
    return c ? c : ' ';
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static void count_lines(struct lexer *lx, size_t from, size_t to)
{
    for (size_t i = from; i < to && i < lx->len; i++)
        if (lx->s[i] == '\n')
            lx->line++;
}

/* Skips raw text up to the close that brings `depth` to zero (quotes and escapes respected) and
 * appends s[start, end) to b. Used where commands are not parsed: $((...)), ${...}, arrays,
 * and anything nested past the depth cap. */
static void skip_balanced(struct lexer *lx, struct sbuf *b, char open, char close, int depth,
                          size_t start)
{
    size_t i = lx->pos;
    while (i < lx->len && depth > 0) {
        char c = lx->s[i];
        if (c == '\\') {
            i += 2;
        } else if (c == '\'' || c == '"') {
            i++;
            while (i < lx->len && lx->s[i] != c)
                i += (c == '"' && lx->s[i] == '\\') ? 2 : 1;
            i++;
        } else {
            if (c == open)
                depth++;
            else if (c == close)
                depth--;
            i++;
        }
    }
    if (i > lx->len)
        i = lx->len;
    count_lines(lx, lx->pos, i);
    lx->pos = i;
    if (b)
        sb_put(b, lx->s + start, i - start);
}

/* --- heredocs -------------------------------------------------------------------------- */

static long heredoc_add(struct lexer *lx, char *delim, bool strip)
{
    if (lx->nhd >= MAX_PENDING_HEREDOCS) {
        free(delim);
        return -1;
    }
    xgrow((void **)&lx->hd, &lx->caphd, lx->nhd + 1, sizeof *lx->hd);
    xgrow((void **)&lx->bodies, &lx->capbodies, lx->nbodies + 1, sizeof *lx->bodies);
    lx->bodies[lx->nbodies] = NULL;
    lx->hd[lx->nhd].delim = delim;
    lx->hd[lx->nhd].strip_tabs = strip;
    lx->hd[lx->nhd].body = lx->nbodies;
    lx->nhd++;
    return (long)lx->nbodies++;
}

/* After a newline token: the bodies of the pending heredocs are data, skipped line by line. */
static void heredoc_read(struct lexer *lx)
{
    for (size_t k = 0; k < lx->nhd; k++) {
        const char *d = lx->hd[k].delim;
        size_t dn = strlen(d), from = lx->pos, to = lx->len;
        while (lx->pos < lx->len) {
            const char *ln = lx->s + lx->pos;
            const char *nl = memchr(ln, '\n', lx->len - lx->pos);
            size_t n = nl ? (size_t)(nl - ln) : lx->len - lx->pos;
            size_t off = 0;
            while (lx->hd[k].strip_tabs && off < n && ln[off] == '\t')
                off++;
            size_t m = n - off;
            if (m > 0 && ln[off + m - 1] == '\r') /* CRLF scripts */
                m--;
            bool end = m == dn && memcmp(ln + off, d, dn) == 0;
            if (end)
                to = lx->pos;
            lx->pos += n + (nl ? 1 : 0);
            if (nl)
                lx->line++;
            if (end)
                break;
        }
        struct sbuf text = {0};
        sb_put(&text, lx->s + from, to - from);
        lx->bodies[lx->hd[k].body] = sb_take(&text);
        free(lx->hd[k].delim);
    }
    lx->nhd = 0;
}

/* --- words ----------------------------------------------------------------------------- */

static void lex_word(struct lexer *lx, struct sbuf *b, bool *literal);
static void lex_dquote(struct lexer *lx, struct sbuf *b);

static int block_push(struct lexer *lx, enum shlex_kind kind, int line)
{
    struct shlex_script *o = lx->out;
    xgrow((void **)&o->blocks, &lx->capb, o->nblocks + 1, sizeof *o->blocks);
    struct shlex_block *bl = &o->blocks[o->nblocks];
    memset(bl, 0, sizeof *bl);
    bl->kind = kind;
    bl->line = line;
    bl->parent = lx->block;
    bl->first = bl->end = bl->body = o->ncmds;
    lx->block = (int)o->nblocks++;
    lx->depth++;
    return lx->block;
}

static void block_pop(struct lexer *lx, int blk)
{
    lx->out->blocks[blk].end = lx->out->ncmds;
    lx->block = lx->out->blocks[blk].parent;
    lx->depth--;
}

static struct tok *peek(struct lexer *lx);
static void drop(struct lexer *lx);

/* $( ... ): the commands inside are parsed; the raw text from `start` joins the word. */
static void lex_subst(struct lexer *lx, struct sbuf *b, size_t start)
{
    if (lx->depth >= SHLEX_MAX_DEPTH) {
        lx->out->truncated = true;
        skip_balanced(lx, NULL, '(', ')', 1, start);
    } else {
        bool db = lx->dbracket;
        unsigned flags = lx->flags;
        int subst = lx->subst;
        int blk = block_push(lx, SHLEX_SUBST, lx->line);
        lx->flags |= SHLEX_INSUBST;
        lx->subst = blk;
        lx->dbracket = false;
        if (parse_list(lx, STOP_RPAREN) == STOP_RPAREN)
            drop(lx);
        block_pop(lx, blk);
        lx->dbracket = db;
        lx->flags = flags;
        lx->subst = subst;
    }
    sb_put_cut(b, lx->s + start, (lx->pos > start ? lx->pos : start) - start);
}

/* `...`: the unescaped inside is parsed as a script of its own, in place. */
static void lex_backtick(struct lexer *lx, struct sbuf *b)
{
    size_t start = lx->pos, i = start + 1;
    struct sbuf inner = {0};
    while (i < lx->len && lx->s[i] != '`') {
        char n = i + 1 < lx->len ? lx->s[i + 1] : '\0';
        if (lx->s[i] == '\\' && (n == '`' || n == '\\' || n == '$')) {
            sb_putc(&inner, n);
            i += 2;
        } else {
            sb_putc(&inner, lx->s[i++]);
        }
    }
    size_t end = i < lx->len ? i + 1 : lx->len;
    int line0 = lx->line;
    if (lx->depth >= SHLEX_MAX_DEPTH) {
        lx->out->truncated = true;
    } else {
        const char *s0 = lx->s;
        size_t len0 = lx->len;
        struct heredoc *hd0 = lx->hd;
        size_t nhd0 = lx->nhd, caphd0 = lx->caphd;
        bool db = lx->dbracket;
        unsigned flags = lx->flags;
        int subst = lx->subst;
        lx->s = inner.p ? inner.p : "";
        lx->len = inner.n;
        lx->pos = 0;
        lx->hd = NULL;
        lx->nhd = lx->caphd = 0;
        lx->dbracket = false;
        int blk = block_push(lx, SHLEX_SUBST, line0);
        lx->flags |= SHLEX_INSUBST;
        lx->subst = blk;
        parse_list(lx, 0);
        if (lx->has_la)
            drop(lx);
        block_pop(lx, blk);
        for (size_t k = 0; k < lx->nhd; k++)
            free(lx->hd[k].delim);
        free(lx->hd);
        lx->s = s0;
        lx->len = len0;
        lx->hd = hd0;
        lx->nhd = nhd0;
        lx->caphd = caphd0;
        lx->dbracket = db;
        lx->flags = flags;
        lx->subst = subst;
    }
    free(inner.p);
    lx->pos = start;
    lx->line = line0;
    count_lines(lx, start, end);
    lx->pos = end;
    sb_put_cut(b, lx->s + start, end - start);
}

static void lex_squote(struct lexer *lx, struct sbuf *b)
{
    size_t from = lx->pos + 1;
    const char *q = from < lx->len ? memchr(lx->s + from, '\'', lx->len - from) : NULL;
    size_t to = q ? (size_t)(q - lx->s) : lx->len;
    sb_put(b, lx->s + from, to - from);
    count_lines(lx, from, to);
    lx->pos = q ? to + 1 : lx->len;
}

/* $'...': only \' and \\ matter here; other escapes stay as written. */
static void lex_ansi(struct lexer *lx, struct sbuf *b)
{
    for (;;) {
        int c = at(lx, lx->pos);
        if (c < 0)
            return;
        lx->pos++;
        if (c == '\'')
            return;
        if (c == '\\' && at(lx, lx->pos) >= 0) {
            int n = at(lx, lx->pos++);
            if (n != '\'' && n != '\\')
                sb_putc(b, '\\');
            if (n == '\n')
                lx->line++;
            sb_putc(b, (char)n);
            continue;
        }
        if (c == '\n')
            lx->line++;
        sb_putc(b, (char)c);
    }
}

static void lex_dollar(struct lexer *lx, struct sbuf *b, bool in_dq)
{
    size_t start = lx->pos;
    int n = at(lx, start + 1);
    if (n == '(' && at(lx, start + 2) == '(') {
        lx->pos = start + 3;
        skip_balanced(lx, b, '(', ')', 2, start);
    } else if (n == '(') {
        lx->pos = start + 2;
        lex_subst(lx, b, start);
    } else if (n == '{') {
        lx->pos = start + 2;
        skip_balanced(lx, b, '{', '}', 1, start);
    } else if (n == '\'' && !in_dq) {
        lx->pos = start + 2;
        lex_ansi(lx, b);
    } else if (n == '"' && !in_dq) {
        lx->pos = start + 1; /* $"..." reads as "..." */
    } else {
        sb_putc(b, '$');
        lx->pos = start + 1;
    }
}

static void lex_dquote(struct lexer *lx, struct sbuf *b)
{
    lx->pos++;
    for (;;) {
        int c = at(lx, lx->pos);
        if (c < 0)
            return;
        if (c == '"') {
            lx->pos++;
            return;
        }
        if (c == '\\') {
            int n = at(lx, lx->pos + 1);
            if (n == '\n') {
                lx->pos += 2;
                lx->line++;
            } else if (n == '$' || n == '`' || n == '"' || n == '\\') {
                sb_putc(b, (char)n);
                lx->pos += 2;
            } else {
                sb_putc(b, '\\');
                lx->pos++;
            }
            continue;
        }
        if (c == '$') {
            lex_dollar(lx, b, true);
            continue;
        }
        if (c == '`') {
            lex_backtick(lx, b);
            continue;
        }
        if (c == '\n')
            lx->line++;
        sb_putc(b, (char)c);
        lx->pos++;
    }
}

/* NAME= or NAME+= so far: a following ( starts an array. */
static bool is_array_start(const struct sbuf *b)
{
    if (b->n < 2 || b->p[b->n - 1] != '=')
        return false;
    char c = b->p[0];
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static void lex_word(struct lexer *lx, struct sbuf *b, bool *literal)
{
    for (;;) {
        int c = at(lx, lx->pos);
        if (c < 0 || c == '\n' || is_blank(c) || c == ';' || c == '&' || c == '|')
            return;
        if (c == '(' || c == ')' || c == '<' || c == '>') {
            if (lx->dbracket) {
                sb_putc(b, (char)c);
                lx->pos++;
                continue;
            }
            if (c == '(' && is_array_start(b)) {
                *literal = false;
                size_t start = lx->pos++;
                skip_balanced(lx, b, '(', ')', 1, start);
                continue;
            }
            return;
        }
        switch (c) {
        case '\\': {
            int n = at(lx, lx->pos + 1);
            if (n == '\n') {
                lx->pos += 2;
                lx->line++;
                continue;
            }
            *literal = false;
            if (n >= 0)
                sb_putc(b, (char)n);
            lx->pos += n >= 0 ? 2 : 1;
            continue;
        }
        case '\'':
            *literal = false;
            lex_squote(lx, b);
            continue;
        case '"':
            *literal = false;
            lex_dquote(lx, b);
            continue;
        case '$':
            *literal = false;
            lex_dollar(lx, b, false);
            continue;
        case '`':
            *literal = false;
            lex_backtick(lx, b);
            continue;
        default: {
            size_t end = lx->pos + 1;
            while (end < lx->len && !strchr(" \t\r\v\f\n;&|()<>\\'\"$`", lx->s[end]))
                end++;
            sb_put(b, lx->s + lx->pos, end - lx->pos);
            lx->pos = end;
        }
        }
    }
}

/* A word that starts with <( or >(: process substitution, whose commands run. */
static void lex_procsubst_word(struct lexer *lx, struct sbuf *b)
{
    size_t start = lx->pos;
    lx->pos += 2;
    lex_subst(lx, b, start);
    bool lit = false;
    lex_word(lx, b, &lit);
}

/* --- tokens ---------------------------------------------------------------------------- */

static void lex_redir(struct lexer *lx, struct tok *t)
{
    static const char *const ops[] = {"&>>", "&>", "<<<", "<<-", "<<", "<>",
                                      "<&",  "<",  ">>",  ">&",  ">|", ">"};
    size_t i = lx->pos;
    while (is_digit(at(lx, i)))
        i++;
    const char *op = ">";
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t n = strlen(ops[k]);
        if (i + n <= lx->len && memcmp(lx->s + i, ops[k], n) == 0) {
            op = ops[k];
            break;
        }
    }
    struct sbuf b = {0};
    size_t end = i + strlen(op);
    sb_put(&b, lx->s + lx->pos, end - lx->pos);
    lx->pos = end;
    for (;;) {
        int c = at(lx, lx->pos);
        if (is_blank(c)) {
            lx->pos++;
        } else if (c == '\\' && at(lx, lx->pos + 1) == '\n') {
            lx->pos += 2;
            lx->line++;
        } else {
            break;
        }
    }
    int c = at(lx, lx->pos), n = at(lx, lx->pos + 1);
    struct sbuf w = {0};
    if ((c == '<' || c == '>') && n == '(') {
        lex_procsubst_word(lx, &w);
    } else if (c >= 0 && c != '\n' && c != ';' && c != '&' && c != '|' && c != '(' && c != ')' &&
               c != '<' && c != '>') {
        bool lit = true;
        lex_word(lx, &w, &lit);
    }
    bool heredoc = strcmp(op, "<<") == 0 || strcmp(op, "<<-") == 0;
    if (heredoc)
        t->body = heredoc_add(lx, xstrdup(w.p ? w.p : ""), op[2] == '-');
    if (w.p)
        sb_put(&b, w.p, w.n);
    free(w.p);
    t->kind = TK_REDIR;
    t->text = sb_take(&b);
}

static void set_op(struct tok *t, const char *op, size_t n, struct lexer *lx)
{
    t->kind = TK_OP;
    memcpy(t->op, op, n);
    t->op[n] = '\0';
    lx->pos += n;
}

static void lex_token(struct lexer *lx, struct tok *t)
{
    memset(t, 0, sizeof *t);
    t->body = -1;
    for (;;) {
        int c = at(lx, lx->pos);
        if (is_blank(c)) {
            lx->pos++;
        } else if (c == '\\' && at(lx, lx->pos + 1) == '\n') {
            lx->pos += 2;
            lx->line++;
        } else if (c == '#') {
            const char *nl = memchr(lx->s + lx->pos, '\n', lx->len - lx->pos);
            lx->pos = nl ? (size_t)(nl - lx->s) : lx->len;
        } else {
            break;
        }
    }
    t->line = lx->line;
    int c = at(lx, lx->pos), n = at(lx, lx->pos + 1), n2 = at(lx, lx->pos + 2);
    if (c < 0) {
        t->kind = TK_EOF;
        return;
    }
    if (c == '\n') {
        lx->pos++;
        lx->line++;
        t->kind = TK_NL;
        if (lx->nhd)
            heredoc_read(lx);
        return;
    }
    if (lx->dbracket && ((c == '&' && n == '&') || (c == '|' && n == '|'))) {
        t->kind = TK_WORD;
        t->text = xstrndup(lx->s + lx->pos, 2);
        lx->pos += 2;
        return;
    }
    if (c == ';') {
        if (n == ';')
            set_op(t, n2 == '&' ? ";;&" : ";;", n2 == '&' ? 3 : 2, lx);
        else
            set_op(t, n == '&' ? ";&" : ";", n == '&' ? 2 : 1, lx);
        return;
    }
    if (c == '&' && n != '>') {
        set_op(t, n == '&' ? "&&" : "&", n == '&' ? 2 : 1, lx);
        return;
    }
    if (c == '|') {
        if (n == '|' || n == '&')
            set_op(t, n == '|' ? "||" : "|&", 2, lx);
        else
            set_op(t, "|", 1, lx);
        return;
    }
    if (!lx->dbracket || c == '&') {
        if (c == '(') {
            set_op(t, n == '(' ? "((" : "(", n == '(' ? 2 : 1, lx);
            return;
        }
        if (c == ')') {
            set_op(t, ")", 1, lx);
            return;
        }
        struct sbuf b = {0};
        if ((c == '<' || c == '>') && n == '(') {
            lex_procsubst_word(lx, &b);
            t->kind = TK_WORD;
            t->text = sb_take(&b);
            return;
        }
        size_t i = lx->pos;
        while (is_digit(at(lx, i)))
            i++;
        int after = at(lx, i);
        if (c == '&' || after == '<' || after == '>') {
            lex_redir(lx, t);
            return;
        }
    }
    struct sbuf b = {0};
    t->literal = true;
    lex_word(lx, &b, &t->literal);
    t->kind = TK_WORD;
    t->text = sb_take(&b);
}

static struct tok *peek(struct lexer *lx)
{
    if (!lx->has_la) {
        struct tok t;
        lex_token(lx, &t);
        if (lx->has_la) /* an unterminated $( inside the token left its end-of-input here */
            free(lx->la.text);
        lx->la = t;
        lx->has_la = true;
    }
    return &lx->la;
}

static void drop(struct lexer *lx)
{
    free(lx->la.text);
    lx->la.text = NULL;
    lx->has_la = false;
}

static char *take(struct lexer *lx)
{
    char *t = lx->la.text ? lx->la.text : xstrdup("");
    lx->la.text = NULL;
    lx->has_la = false;
    return t;
}

static bool is_kw(const struct tok *t, const char *w)
{
    return t->kind == TK_WORD && t->literal && strcmp(t->text, w) == 0;
}

static bool is_op(const struct tok *t, const char *op)
{
    return t->kind == TK_OP && strcmp(t->op, op) == 0;
}

static int stop_of(const struct tok *t)
{
    static const struct {
        const char *word;
        int stop;
    } kw[] = {
        {"then", STOP_THEN}, {"elif", STOP_ELIF}, {"else", STOP_ELSE}, {"fi", STOP_FI},
        {"do", STOP_DO},     {"done", STOP_DONE}, {"esac", STOP_ESAC}, {"}", STOP_RBRACE},
    };
    if (t->kind == TK_EOF)
        return STOP_EOF;
    if (t->kind == TK_OP)
        return t->op[0] == ')' ? STOP_RPAREN : (t->op[0] == ';' && t->op[1]) ? STOP_DSEMI : 0;
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (is_kw(t, kw[i].word))
            return kw[i].stop;
    return 0;
}

/* --- parser ---------------------------------------------------------------------------- */

static void skip_newlines(struct lexer *lx)
{
    while (peek(lx)->kind == TK_NL)
        drop(lx);
}

/* Redirections after a compound command (`done < list`, `} > log`) read their heredocs too. */
static void skip_redirs(struct lexer *lx)
{
    while (peek(lx)->kind == TK_REDIR)
        drop(lx);
}

static struct item emit(struct lexer *lx, int line, enum shlex_op prev, size_t chain, char **words,
                        size_t nwords, char **redirs, size_t nredirs, long body)
{
    struct shlex_script *o = lx->out;
    xgrow((void **)&o->cmds, &lx->capc, o->ncmds + 1, sizeof *o->cmds);
    xgrow((void **)&lx->cmd_body, &lx->capcb, o->ncmds + 1, sizeof *lx->cmd_body);
    lx->cmd_body[o->ncmds] = body;
    struct shlex_cmd *c = &o->cmds[o->ncmds];
    memset(c, 0, sizeof *c);
    c->line = line;
    c->words = words;
    c->nwords = nwords;
    c->redirs = redirs;
    c->nredirs = nredirs;
    c->prev_op = prev;
    c->chain = chain;
    c->block = lx->block;
    c->func = lx->func;
    c->subst = lx->subst;
    c->flags = lx->flags;
    struct item it = {(long)o->ncmds++, -1};
    return it;
}

static struct item block_item(int blk)
{
    struct item it = {-1, blk};
    return it;
}

static struct item parse_funcdef(struct lexer *lx, char *name, int line, int mask)
{
    int blk = block_push(lx, SHLEX_FUNC, line);
    lx->out->blocks[blk].name = name;
    int func = lx->func;
    unsigned flags = lx->flags;
    lx->func = blk;
    lx->flags |= SHLEX_INFUNC;
    skip_newlines(lx);
    parse_command(lx, SHLEX_OP_NONE, lx->out->ncmds, mask);
    lx->func = func;
    lx->flags = flags;
    block_pop(lx, blk);
    return block_item(blk);
}

static struct item parse_simple(struct lexer *lx, enum shlex_op prev, size_t chain, int mask)
{
    char **words = NULL, **redirs = NULL;
    size_t nw = 0, capw = 0, nr = 0, capr = 0;
    long body = -1;
    int line = peek(lx)->line;
    for (;;) {
        struct tok *t = peek(lx);
        if (t->kind == TK_REDIR) {
            if (body < 0)
                body = t->body;
            push_str(&redirs, &nr, &capr, take(lx));
            continue;
        }
        if (t->kind != TK_WORD)
            break;
        bool lit = t->literal;
        char *w = take(lx);
        push_str(&words, &nw, &capw, w);
        if (nw == 1 && lit && strcmp(w, "[[") == 0) {
            lx->dbracket = true;
        } else if (lx->dbracket && lit && strcmp(w, "]]") == 0) {
            lx->dbracket = false;
        } else if (nw == 1 && nr == 0 && lit && !strchr(w, '=') && lx->depth < SHLEX_MAX_DEPTH &&
                   is_op(peek(lx), "(")) {
            drop(lx);
            if (is_op(peek(lx), ")")) { /* name() body */
                drop(lx);
                free(words);
                return parse_funcdef(lx, w, line, mask);
            }
            break;
        }
    }
    lx->dbracket = false;
    return emit(lx, line, prev, chain, words, nw, redirs, nr, body);
}

/* (( expr )): one command whose words are "((" and the expression. */
static struct item parse_arith(struct lexer *lx, enum shlex_op prev, size_t chain, char **expr)
{
    int line = peek(lx)->line;
    drop(lx);
    size_t start = lx->pos;
    skip_balanced(lx, NULL, '(', ')', 2, start);
    size_t end = lx->pos >= start + 2 ? lx->pos - 2 : start;
    if (end < start)
        end = start;
    char *text = xstrndup(lx->s + start, end - start);
    for (char *p = text; *p; p++)
        if (*p == '\n')
            *p = ' ';
    if (expr) {
        *expr = text;
        return no_item;
    }
    char **words = xmalloc(2 * sizeof *words);
    words[0] = xstrdup("((");
    words[1] = text;
    struct item it = emit(lx, line, prev, chain, words, 2, NULL, 0, -1);
    skip_redirs(lx);
    return it;
}

static struct item parse_group(struct lexer *lx, enum shlex_kind kind, int mask)
{
    int line = peek(lx)->line;
    drop(lx);
    int blk = block_push(lx, kind, line);
    int stop = kind == SHLEX_BRACE ? STOP_RBRACE : STOP_RPAREN;
    if (parse_list(lx, mask | stop) == stop)
        drop(lx);
    block_pop(lx, blk);
    skip_redirs(lx);
    return block_item(blk);
}

static struct item parse_if(struct lexer *lx, int mask)
{
    int line = peek(lx)->line;
    drop(lx);
    int blk = block_push(lx, SHLEX_IF, line);
    unsigned flags = lx->flags;
    for (;;) {
        lx->flags = flags | SHLEX_COND;
        if (parse_list(lx, mask | STOP_THEN) != STOP_THEN)
            break;
        drop(lx);
        lx->flags = flags;
        int s = parse_list(lx, mask | STOP_ELIF | STOP_ELSE | STOP_FI);
        if (s == STOP_ELIF) {
            drop(lx);
            continue;
        }
        if (s == STOP_ELSE) {
            drop(lx);
            s = parse_list(lx, mask | STOP_FI);
        }
        if (s == STOP_FI)
            drop(lx);
        break;
    }
    lx->flags = flags;
    block_pop(lx, blk);
    skip_redirs(lx);
    return block_item(blk);
}

static void parse_loop_body(struct lexer *lx, int blk, int mask)
{
    lx->out->blocks[blk].body = lx->out->ncmds;
    if (parse_list(lx, mask | STOP_DONE) == STOP_DONE)
        drop(lx);
}

static struct item parse_while(struct lexer *lx, enum shlex_kind kind, int mask)
{
    int line = peek(lx)->line;
    drop(lx);
    int blk = block_push(lx, kind, line);
    unsigned flags = lx->flags;
    lx->flags = flags | SHLEX_LOOP | SHLEX_COND;
    if (parse_list(lx, mask | STOP_DO) == STOP_DO) {
        drop(lx);
        lx->flags = flags | SHLEX_LOOP;
        parse_loop_body(lx, blk, mask);
    }
    lx->flags = flags;
    block_pop(lx, blk);
    skip_redirs(lx);
    return block_item(blk);
}

/* for ((init; cond; step)) with an empty cond never ends by itself. */
static bool arith_for_endless(const char *e)
{
    const char *semi = strchr(e, ';');
    if (!semi)
        return false;
    for (const char *p = semi + 1; *p && *p != ';'; p++)
        if (!is_blank((unsigned char)*p))
            return false;
    return true;
}

static struct item parse_for(struct lexer *lx, int mask)
{
    int line = peek(lx)->line;
    drop(lx);
    int blk = block_push(lx, SHLEX_FOR, line);
    unsigned flags = lx->flags;
    lx->flags = flags | SHLEX_LOOP;
    if (is_op(peek(lx), "((")) {
        char *expr = NULL;
        parse_arith(lx, SHLEX_OP_NONE, 0, &expr);
        lx->out->blocks[blk].endless = arith_for_endless(expr);
        free(expr);
    } else if (peek(lx)->kind == TK_WORD) {
        drop(lx);
        skip_newlines(lx);
        if (is_kw(peek(lx), "in")) {
            drop(lx);
            while (peek(lx)->kind == TK_WORD)
                drop(lx);
        }
    }
    while (peek(lx)->kind == TK_NL || is_op(peek(lx), ";"))
        drop(lx);
    if (is_kw(peek(lx), "do")) {
        drop(lx);
        parse_loop_body(lx, blk, mask);
    } else if (is_kw(peek(lx), "{")) {
        lx->out->blocks[blk].body = lx->out->ncmds;
        parse_group(lx, SHLEX_BRACE, mask);
    }
    lx->flags = flags;
    block_pop(lx, blk);
    skip_redirs(lx);
    return block_item(blk);
}

static struct item parse_case(struct lexer *lx, int mask)
{
    int line = peek(lx)->line;
    drop(lx);
    int blk = block_push(lx, SHLEX_CASE, line);
    if (peek(lx)->kind == TK_WORD)
        drop(lx); /* the subject */
    skip_newlines(lx);
    if (is_kw(peek(lx), "in"))
        drop(lx);
    for (;;) {
        struct tok *t = peek(lx);
        if (t->kind == TK_NL || is_op(t, ";")) {
            drop(lx);
            continue;
        }
        if (t->kind == TK_EOF)
            break;
        if (is_kw(t, "esac")) {
            drop(lx);
            break;
        }
        if (stop_of(t) & mask)
            break;
        if (is_op(t, "("))
            drop(lx);
        while (peek(lx)->kind == TK_WORD || is_op(peek(lx), "|"))
            drop(lx);
        if (is_op(peek(lx), ")"))
            drop(lx);
        int s = parse_list(lx, mask | STOP_DSEMI | STOP_ESAC);
        if (s == STOP_DSEMI) {
            drop(lx);
            continue;
        }
        if (s == STOP_ESAC)
            drop(lx);
        break;
    }
    block_pop(lx, blk);
    skip_redirs(lx);
    return block_item(blk);
}

static struct item parse_function_kw(struct lexer *lx, int mask)
{
    int line = peek(lx)->line;
    drop(lx);
    char *name = peek(lx)->kind == TK_WORD ? take(lx) : xstrdup("");
    if (is_op(peek(lx), "(")) {
        drop(lx);
        if (is_op(peek(lx), ")"))
            drop(lx);
    }
    return parse_funcdef(lx, name, line, mask);
}

static struct item parse_command(struct lexer *lx, enum shlex_op prev, size_t chain, int mask)
{
    unsigned neg = 0;
    for (;;) {
        struct tok *t = peek(lx);
        if (is_kw(t, "!"))
            neg = SHLEX_NEGATED;
        else if (!is_kw(t, "time"))
            break;
        drop(lx);
    }
    struct tok *t = peek(lx);
    if (t->kind == TK_EOF || t->kind == TK_NL || (stop_of(t) & mask))
        return no_item;
    if (t->kind == TK_OP && !is_op(t, "(") && !is_op(t, "(("))
        return no_item;
    unsigned flags = lx->flags;
    lx->flags |= neg;
    bool deep = lx->depth >= SHLEX_MAX_DEPTH;
    struct item it = no_item;
    if (is_op(t, "((")) {
        it = parse_arith(lx, prev, chain, NULL);
    } else if (is_op(t, "(")) {
        if (deep) {
            drop(lx);
            lx->out->truncated = true;
            skip_balanced(lx, NULL, '(', ')', 1, lx->pos);
        } else {
            it = parse_group(lx, SHLEX_SUBSHELL, mask);
        }
    } else if (deep || !t->literal) {
        if (deep && t->literal)
            lx->out->truncated = true;
        it = parse_simple(lx, prev, chain, mask);
    } else if (is_kw(t, "if")) {
        it = parse_if(lx, mask);
    } else if (is_kw(t, "for") || is_kw(t, "select")) {
        it = parse_for(lx, mask);
    } else if (is_kw(t, "while") || is_kw(t, "until")) {
        it = parse_while(lx, is_kw(t, "while") ? SHLEX_WHILE : SHLEX_UNTIL, mask);
    } else if (is_kw(t, "case")) {
        it = parse_case(lx, mask);
    } else if (is_kw(t, "{")) {
        it = parse_group(lx, SHLEX_BRACE, mask);
    } else if (is_kw(t, "function")) {
        it = parse_function_kw(lx, mask);
    } else {
        it = parse_simple(lx, prev, chain, mask);
    }
    lx->flags = flags;
    return it;
}

static enum shlex_op op_of(const struct tok *t)
{
    if (t->kind != TK_OP)
        return SHLEX_OP_NONE;
    if (is_op(t, "&&"))
        return SHLEX_OP_AND;
    if (is_op(t, "||"))
        return SHLEX_OP_OR;
    if (is_op(t, "|") || is_op(t, "|&"))
        return SHLEX_OP_PIPE;
    if (is_op(t, ";"))
        return SHLEX_OP_SEMI;
    if (is_op(t, "&"))
        return SHLEX_OP_BG;
    return SHLEX_OP_NONE;
}

/* `&` sends the whole and-or list to the background, not just its last command. */
static void mark_background(struct lexer *lx, size_t chain)
{
    for (size_t k = chain; k < lx->out->ncmds; k++) {
        struct shlex_cmd *c = &lx->out->cmds[k];
        if (c->subst == lx->subst && !(c->flags & SHLEX_BG)) {
            c->flags |= SHLEX_BG;
            c->job = chain;
        }
    }
}

static void parse_and_or(struct lexer *lx, int mask)
{
    size_t chain = lx->out->ncmds;
    enum shlex_op prev = SHLEX_OP_NONE;
    for (;;) {
        struct item it = parse_command(lx, prev, chain, mask);
        enum shlex_op op = op_of(peek(lx));
        if (it.cmd >= 0)
            lx->out->cmds[it.cmd].op = op;
        else if (it.block >= 0)
            lx->out->blocks[it.block].op = op;
        if (op == SHLEX_OP_AND || op == SHLEX_OP_OR || op == SHLEX_OP_PIPE) {
            drop(lx);
            skip_newlines(lx);
            prev = op;
            continue;
        }
        if (op == SHLEX_OP_SEMI || op == SHLEX_OP_BG)
            drop(lx);
        if (op == SHLEX_OP_BG)
            mark_background(lx, chain);
        return;
    }
}

/* Parses and-or lists until a token in `mask` (left unread, returned) or the end of input. */
static int parse_list(struct lexer *lx, int mask)
{
    for (;;) {
        struct tok *t = peek(lx);
        int s = stop_of(t);
        if (s == STOP_EOF || (s & mask))
            return s;
        if (t->kind == TK_NL || (t->kind == TK_OP && !is_op(t, "(") && !is_op(t, "(("))) {
            drop(lx); /* blank lines, and stray operators in broken input */
            continue;
        }
        parse_and_or(lx, mask);
    }
}

void shlex_parse(const char *text, size_t len, struct shlex_script *out)
{
    memset(out, 0, sizeof *out);
    struct lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.s = text ? text : "";
    lx.len = text ? len : 0;
    lx.line = 1;
    lx.out = out;
    lx.block = lx.func = lx.subst = -1;
    parse_list(&lx, 0);
    if (lx.has_la)
        drop(&lx);
    for (size_t k = 0; k < lx.nhd; k++)
        free(lx.hd[k].delim);
    free(lx.hd);
    /* cmd_body grows with cmds, so it is NULL only when there are none */
    for (size_t i = 0; lx.cmd_body != NULL && i < out->ncmds; i++) {
        long b = lx.cmd_body[i];
        if (b >= 0 && lx.bodies[b]) {
            out->cmds[i].heredoc = lx.bodies[b];
            lx.bodies[b] = NULL;
        }
    }
    for (size_t b = 0; b < lx.nbodies; b++)
        free(lx.bodies[b]);
    free(lx.bodies);
    free(lx.cmd_body);
}

void shlex_free(struct shlex_script *s)
{
    for (size_t i = 0; i < s->ncmds; i++) {
        for (size_t w = 0; w < s->cmds[i].nwords; w++)
            free(s->cmds[i].words[w]);
        for (size_t r = 0; r < s->cmds[i].nredirs; r++)
            free(s->cmds[i].redirs[r]);
        free(s->cmds[i].words);
        free(s->cmds[i].redirs);
        free(s->cmds[i].heredoc);
    }
    for (size_t b = 0; b < s->nblocks; b++)
        free(s->blocks[b].name);
    free(s->cmds);
    free(s->blocks);
    memset(s, 0, sizeof *s);
}
