/* exitcodes.h: every exit status the programs use, in one place (SPEC §3). */
#ifndef DF_EXITCODES_H
#define DF_EXITCODES_H

#define EXIT_OK		0	/* success, or nothing claimable */
#define EXIT_FAIL	1	/* an operation failed (dataflow) */
#define EXIT_LOCAL_STOPPED 3	/* dataflow local status: server stopped */
#define EXIT_LOCAL_NONE	4	/* dataflow local status: no cluster there */
#define EXIT_USAGE	64	/* command line usage error (EX_USAGE) */
#define EXIT_DATAERR	65	/* bad input data given on the command line */
#define EXIT_NOTRUN	69	/* runjob --dataid: that partition cannot
				   run now (EX_UNAVAILABLE) */
#define EXIT_SOFTWARE	70	/* internal error (EX_SOFTWARE) */
#define EXIT_TEMPFAIL	75	/* database unreachable or locked out: retry */
#define EXIT_CONFIG	78	/* configuration error (EX_CONFIG) */
#define EXIT_TIMEOUT	124	/* the job ran past its timeout */
#define EXIT_SIGBASE	128	/* 128+N: the job died of signal N */

#endif
