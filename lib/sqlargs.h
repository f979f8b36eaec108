/*
 * sqlargs.h -- the values after a statement's text, each turned into a
 * struct hg_arg by its C type (_Generic), so that hg_db_args can check them
 * against the statement's typed placeholders (?i, ?s) before binding: a
 * string where the text says ?i, a number where it says ?s, or one value
 * too many or too few is refused (500, logged) the first time the
 * statement runs, in the tests, instead of being bound blindly.
 *
 *	hg_sql(r, &rs, "SELECT name FROM t WHERE id = ?i AND kind = ?s",
 *	    id, kind)
 *
 * (src/hangard/sql.c) becomes hg_sql_run(r, &rs, "SELECT ...", (const struct hg_arg[]){
 * HG_ARG(id), HG_ARG(kind) }, 2).  Integers of any width bind as ?i;
 * char pointers and NULL as ?s (NULL binds SQL NULL; it is accepted for
 * ?i too).  The lines below are the usual counting and for-each macros,
 * one line per argument count, up to HG_DB_MAXPARAMS (64).
 */
#ifndef HG_SQLARGS_H
#define HG_SQLARGS_H

struct hg_arg {
	char		 a_type;	/* 'i', 's', or 'n' for NULL */
	long long	 a_int;
	const char	*a_str;
};

static inline struct hg_arg
hg_arg_i(long long i)
{
	return (struct hg_arg){ 'i', i, NULL };
}

static inline struct hg_arg
hg_arg_s(const char *s)
{
	return (struct hg_arg){ s == NULL ? 'n' : 's', 0, s };
}

static inline struct hg_arg
hg_arg_null(const void *p)
{
	(void)p;
	return (struct hg_arg){ 'n', 0, NULL };
}

#define HG_ARG(x) _Generic((x),						\
	char *: hg_arg_s, const char *: hg_arg_s,			\
	void *: hg_arg_null, const void *: hg_arg_null,			\
	default: hg_arg_i)(x)

/* The number of arguments, 1 to 65. */
#define HG_NARGS(...) HG_NARGS_(__VA_ARGS__, 65, 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define HG_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, _65, n, ...) n

/* HG_ARGS_n(a, ...): HG_ARG of each of n arguments. */
#define HG_ARGS_1(a) HG_ARG(a)
#define HG_ARGS_2(a, ...) HG_ARG(a), HG_ARGS_1(__VA_ARGS__)
#define HG_ARGS_3(a, ...) HG_ARG(a), HG_ARGS_2(__VA_ARGS__)
#define HG_ARGS_4(a, ...) HG_ARG(a), HG_ARGS_3(__VA_ARGS__)
#define HG_ARGS_5(a, ...) HG_ARG(a), HG_ARGS_4(__VA_ARGS__)
#define HG_ARGS_6(a, ...) HG_ARG(a), HG_ARGS_5(__VA_ARGS__)
#define HG_ARGS_7(a, ...) HG_ARG(a), HG_ARGS_6(__VA_ARGS__)
#define HG_ARGS_8(a, ...) HG_ARG(a), HG_ARGS_7(__VA_ARGS__)
#define HG_ARGS_9(a, ...) HG_ARG(a), HG_ARGS_8(__VA_ARGS__)
#define HG_ARGS_10(a, ...) HG_ARG(a), HG_ARGS_9(__VA_ARGS__)
#define HG_ARGS_11(a, ...) HG_ARG(a), HG_ARGS_10(__VA_ARGS__)
#define HG_ARGS_12(a, ...) HG_ARG(a), HG_ARGS_11(__VA_ARGS__)
#define HG_ARGS_13(a, ...) HG_ARG(a), HG_ARGS_12(__VA_ARGS__)
#define HG_ARGS_14(a, ...) HG_ARG(a), HG_ARGS_13(__VA_ARGS__)
#define HG_ARGS_15(a, ...) HG_ARG(a), HG_ARGS_14(__VA_ARGS__)
#define HG_ARGS_16(a, ...) HG_ARG(a), HG_ARGS_15(__VA_ARGS__)
#define HG_ARGS_17(a, ...) HG_ARG(a), HG_ARGS_16(__VA_ARGS__)
#define HG_ARGS_18(a, ...) HG_ARG(a), HG_ARGS_17(__VA_ARGS__)
#define HG_ARGS_19(a, ...) HG_ARG(a), HG_ARGS_18(__VA_ARGS__)
#define HG_ARGS_20(a, ...) HG_ARG(a), HG_ARGS_19(__VA_ARGS__)
#define HG_ARGS_21(a, ...) HG_ARG(a), HG_ARGS_20(__VA_ARGS__)
#define HG_ARGS_22(a, ...) HG_ARG(a), HG_ARGS_21(__VA_ARGS__)
#define HG_ARGS_23(a, ...) HG_ARG(a), HG_ARGS_22(__VA_ARGS__)
#define HG_ARGS_24(a, ...) HG_ARG(a), HG_ARGS_23(__VA_ARGS__)
#define HG_ARGS_25(a, ...) HG_ARG(a), HG_ARGS_24(__VA_ARGS__)
#define HG_ARGS_26(a, ...) HG_ARG(a), HG_ARGS_25(__VA_ARGS__)
#define HG_ARGS_27(a, ...) HG_ARG(a), HG_ARGS_26(__VA_ARGS__)
#define HG_ARGS_28(a, ...) HG_ARG(a), HG_ARGS_27(__VA_ARGS__)
#define HG_ARGS_29(a, ...) HG_ARG(a), HG_ARGS_28(__VA_ARGS__)
#define HG_ARGS_30(a, ...) HG_ARG(a), HG_ARGS_29(__VA_ARGS__)
#define HG_ARGS_31(a, ...) HG_ARG(a), HG_ARGS_30(__VA_ARGS__)
#define HG_ARGS_32(a, ...) HG_ARG(a), HG_ARGS_31(__VA_ARGS__)
#define HG_ARGS_33(a, ...) HG_ARG(a), HG_ARGS_32(__VA_ARGS__)
#define HG_ARGS_34(a, ...) HG_ARG(a), HG_ARGS_33(__VA_ARGS__)
#define HG_ARGS_35(a, ...) HG_ARG(a), HG_ARGS_34(__VA_ARGS__)
#define HG_ARGS_36(a, ...) HG_ARG(a), HG_ARGS_35(__VA_ARGS__)
#define HG_ARGS_37(a, ...) HG_ARG(a), HG_ARGS_36(__VA_ARGS__)
#define HG_ARGS_38(a, ...) HG_ARG(a), HG_ARGS_37(__VA_ARGS__)
#define HG_ARGS_39(a, ...) HG_ARG(a), HG_ARGS_38(__VA_ARGS__)
#define HG_ARGS_40(a, ...) HG_ARG(a), HG_ARGS_39(__VA_ARGS__)
#define HG_ARGS_41(a, ...) HG_ARG(a), HG_ARGS_40(__VA_ARGS__)
#define HG_ARGS_42(a, ...) HG_ARG(a), HG_ARGS_41(__VA_ARGS__)
#define HG_ARGS_43(a, ...) HG_ARG(a), HG_ARGS_42(__VA_ARGS__)
#define HG_ARGS_44(a, ...) HG_ARG(a), HG_ARGS_43(__VA_ARGS__)
#define HG_ARGS_45(a, ...) HG_ARG(a), HG_ARGS_44(__VA_ARGS__)
#define HG_ARGS_46(a, ...) HG_ARG(a), HG_ARGS_45(__VA_ARGS__)
#define HG_ARGS_47(a, ...) HG_ARG(a), HG_ARGS_46(__VA_ARGS__)
#define HG_ARGS_48(a, ...) HG_ARG(a), HG_ARGS_47(__VA_ARGS__)
#define HG_ARGS_49(a, ...) HG_ARG(a), HG_ARGS_48(__VA_ARGS__)
#define HG_ARGS_50(a, ...) HG_ARG(a), HG_ARGS_49(__VA_ARGS__)
#define HG_ARGS_51(a, ...) HG_ARG(a), HG_ARGS_50(__VA_ARGS__)
#define HG_ARGS_52(a, ...) HG_ARG(a), HG_ARGS_51(__VA_ARGS__)
#define HG_ARGS_53(a, ...) HG_ARG(a), HG_ARGS_52(__VA_ARGS__)
#define HG_ARGS_54(a, ...) HG_ARG(a), HG_ARGS_53(__VA_ARGS__)
#define HG_ARGS_55(a, ...) HG_ARG(a), HG_ARGS_54(__VA_ARGS__)
#define HG_ARGS_56(a, ...) HG_ARG(a), HG_ARGS_55(__VA_ARGS__)
#define HG_ARGS_57(a, ...) HG_ARG(a), HG_ARGS_56(__VA_ARGS__)
#define HG_ARGS_58(a, ...) HG_ARG(a), HG_ARGS_57(__VA_ARGS__)
#define HG_ARGS_59(a, ...) HG_ARG(a), HG_ARGS_58(__VA_ARGS__)
#define HG_ARGS_60(a, ...) HG_ARG(a), HG_ARGS_59(__VA_ARGS__)
#define HG_ARGS_61(a, ...) HG_ARG(a), HG_ARGS_60(__VA_ARGS__)
#define HG_ARGS_62(a, ...) HG_ARG(a), HG_ARGS_61(__VA_ARGS__)
#define HG_ARGS_63(a, ...) HG_ARG(a), HG_ARGS_62(__VA_ARGS__)
#define HG_ARGS_64(a, ...) HG_ARG(a), HG_ARGS_63(__VA_ARGS__)

/* HG_SQLV_n(sql, ...): the text, then an array of the n - 1 values. */
#define HG_SQLV_1(sql) (sql), NULL, 0
#define HG_SQLV_2(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_1(__VA_ARGS__) }, 1
#define HG_SQLV_3(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_2(__VA_ARGS__) }, 2
#define HG_SQLV_4(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_3(__VA_ARGS__) }, 3
#define HG_SQLV_5(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_4(__VA_ARGS__) }, 4
#define HG_SQLV_6(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_5(__VA_ARGS__) }, 5
#define HG_SQLV_7(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_6(__VA_ARGS__) }, 6
#define HG_SQLV_8(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_7(__VA_ARGS__) }, 7
#define HG_SQLV_9(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_8(__VA_ARGS__) }, 8
#define HG_SQLV_10(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_9(__VA_ARGS__) }, 9
#define HG_SQLV_11(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_10(__VA_ARGS__) }, 10
#define HG_SQLV_12(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_11(__VA_ARGS__) }, 11
#define HG_SQLV_13(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_12(__VA_ARGS__) }, 12
#define HG_SQLV_14(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_13(__VA_ARGS__) }, 13
#define HG_SQLV_15(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_14(__VA_ARGS__) }, 14
#define HG_SQLV_16(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_15(__VA_ARGS__) }, 15
#define HG_SQLV_17(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_16(__VA_ARGS__) }, 16
#define HG_SQLV_18(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_17(__VA_ARGS__) }, 17
#define HG_SQLV_19(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_18(__VA_ARGS__) }, 18
#define HG_SQLV_20(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_19(__VA_ARGS__) }, 19
#define HG_SQLV_21(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_20(__VA_ARGS__) }, 20
#define HG_SQLV_22(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_21(__VA_ARGS__) }, 21
#define HG_SQLV_23(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_22(__VA_ARGS__) }, 22
#define HG_SQLV_24(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_23(__VA_ARGS__) }, 23
#define HG_SQLV_25(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_24(__VA_ARGS__) }, 24
#define HG_SQLV_26(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_25(__VA_ARGS__) }, 25
#define HG_SQLV_27(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_26(__VA_ARGS__) }, 26
#define HG_SQLV_28(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_27(__VA_ARGS__) }, 27
#define HG_SQLV_29(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_28(__VA_ARGS__) }, 28
#define HG_SQLV_30(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_29(__VA_ARGS__) }, 29
#define HG_SQLV_31(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_30(__VA_ARGS__) }, 30
#define HG_SQLV_32(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_31(__VA_ARGS__) }, 31
#define HG_SQLV_33(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_32(__VA_ARGS__) }, 32
#define HG_SQLV_34(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_33(__VA_ARGS__) }, 33
#define HG_SQLV_35(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_34(__VA_ARGS__) }, 34
#define HG_SQLV_36(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_35(__VA_ARGS__) }, 35
#define HG_SQLV_37(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_36(__VA_ARGS__) }, 36
#define HG_SQLV_38(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_37(__VA_ARGS__) }, 37
#define HG_SQLV_39(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_38(__VA_ARGS__) }, 38
#define HG_SQLV_40(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_39(__VA_ARGS__) }, 39
#define HG_SQLV_41(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_40(__VA_ARGS__) }, 40
#define HG_SQLV_42(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_41(__VA_ARGS__) }, 41
#define HG_SQLV_43(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_42(__VA_ARGS__) }, 42
#define HG_SQLV_44(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_43(__VA_ARGS__) }, 43
#define HG_SQLV_45(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_44(__VA_ARGS__) }, 44
#define HG_SQLV_46(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_45(__VA_ARGS__) }, 45
#define HG_SQLV_47(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_46(__VA_ARGS__) }, 46
#define HG_SQLV_48(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_47(__VA_ARGS__) }, 47
#define HG_SQLV_49(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_48(__VA_ARGS__) }, 48
#define HG_SQLV_50(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_49(__VA_ARGS__) }, 49
#define HG_SQLV_51(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_50(__VA_ARGS__) }, 50
#define HG_SQLV_52(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_51(__VA_ARGS__) }, 51
#define HG_SQLV_53(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_52(__VA_ARGS__) }, 52
#define HG_SQLV_54(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_53(__VA_ARGS__) }, 53
#define HG_SQLV_55(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_54(__VA_ARGS__) }, 54
#define HG_SQLV_56(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_55(__VA_ARGS__) }, 55
#define HG_SQLV_57(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_56(__VA_ARGS__) }, 56
#define HG_SQLV_58(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_57(__VA_ARGS__) }, 57
#define HG_SQLV_59(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_58(__VA_ARGS__) }, 58
#define HG_SQLV_60(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_59(__VA_ARGS__) }, 59
#define HG_SQLV_61(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_60(__VA_ARGS__) }, 60
#define HG_SQLV_62(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_61(__VA_ARGS__) }, 61
#define HG_SQLV_63(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_62(__VA_ARGS__) }, 62
#define HG_SQLV_64(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_63(__VA_ARGS__) }, 63
#define HG_SQLV_65(sql, ...) (sql), (const struct hg_arg[]){ HG_ARGS_64(__VA_ARGS__) }, 64
#define HG_SQLV__(n, ...)	HG_SQLV_##n(__VA_ARGS__)
#define HG_SQLV_(n, ...)	HG_SQLV__(n, __VA_ARGS__)
/* "sql, v1, v2" -> "sql, (const struct hg_arg[]){ ... }, 2" */
#define HG_SQLV(...)		HG_SQLV_(HG_NARGS(__VA_ARGS__), __VA_ARGS__)

#endif
