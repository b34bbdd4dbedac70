/* Message translation (gettext, text domain "gpuwarden"), for the engine's sentences and the
 * dashboard's text alike. English is the source text and the default: a locale without a
 * catalogue shows the msgids as they are. Strings in static tables are marked with N_() and
 * translated with _() where they are shown. Identifiers stay English everywhere (column headers,
 * PASS/WARN/FAIL, verdicts, states, step names, JSON keys): docs/decisions.md says why. */
#ifndef GPUWARDEN_I18N_H
#define GPUWARDEN_I18N_H

#include <libintl.h>
#include <stdbool.h>

/* True once a catalogue translates (i18n_init): otherwise _() is the msgid itself, without
 * gettext's lookup, which costs ~190 ns under C.UTF-8 (the rules make sentences per offer).
 * Written before any thread starts, read-only afterwards. */
extern bool i18n_active;

__attribute__((format_arg(1))) static inline const char *i18n_text(const char *msgid)
{
    return i18n_active ? gettext(msgid) : msgid;
}

#define _(s)  i18n_text(s)
#define N_(s) (s)
/* gettext with a context (msgctxt), for a short msgid that could mean something else elsewhere
 * ("download" as a kind of setup step); xgettext extracts pgettext(CONTEXT, "...") by default. */
#define pgettext(ctx, id) i18n_context_gettext(ctx "\004" id, id)

/* The translation of `key` ("context\004msgid"), or `id` when there is none. */
const char *i18n_context_gettext(const char *key, const char *id);

/* Binds the text domain to the first of these folders that exists:
 *   1. $GPUWARDEN_LOCALEDIR, when set and not empty;
 *   2. <folder of the binary>/build/locale   (./gpuwarden in the source tree);
 *   3. <folder of the binary>/../locale      (build/<flavour>/gpuwarden);
 *   4. <folder of the binary>/../share/locale (an installed binary, whatever its prefix);
 *   5. GPUWARDEN_LOCALEDIR, compiled in as $(PREFIX)/share/locale.
 * Also tells the failure cases which language to show. Call after setlocale(). */
void i18n_init(void);

/* Messages in English from now on, whatever the locale: for --json, a machine format that
 * scripts compare and parse. Call before any thread starts. */
void i18n_use_english(void);

/* The folder bound (for tests and `gpuwarden config`-style reports). */
const char *i18n_localedir(void);

#endif
