/*
 * jsonraw.h -- JSON text from the database put into a reply without
 * parsing it into json-c objects and serializing them again.
 *
 * Lists render JSON columns built by SQL (JSON_ARRAYAGG) or stored as
 * text; parsing each into a tree of json-c objects only to print it again
 * cost a list of resource requests a fifth of its time in malloc/free.
 * hg_jsonraw_new() instead wraps the text in one json-c value whose
 * serializer prints the text as json-c would have printed the parsed tree:
 * whitespace between tokens dropped, strings escaped by json-c's rules
 * (\uXXXX escapes decoded, '/' escaped unless NOSLASHESCAPE, control
 * characters as \b \f \n \r \t or \u00xx).  So the reply is byte for byte
 * what parsing gave.
 *
 * Only text whose printed form is certain takes this path: strict JSON
 * whose top level is an array or an object, at most 16 deep, integers of
 * at most 18 digits (no fractions or exponents, no -0), keys without
 * escapes and not repeated in their object, no \u0000, no lone surrogate.
 * Anything else (and NULL) is parsed as before: NULL or unparsable text
 * gives [], the rest the parsed tree.
 */
#ifndef HG_JSONRAW_H
#define HG_JSONRAW_H

#include <json-c/json.h>

/*
 * s as a json-c value to put into a reply.  The value points into s, which
 * must outlive it (cells of the request's arena do).  It is opaque: only
 * serialize it (json_object_to_json_string_ext); it is not a tree to look
 * into.  With JSON_C_TO_STRING_PRETTY its nesting is indented from level 0.
 */
json_object	*hg_jsonraw_new(const char *s);

/* 1 when s takes the fast path described above. */
int		 hg_jsonraw_ok(const char *s);

#endif
