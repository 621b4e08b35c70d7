/* nitems.h: the number of elements of an array (OpenBSD's <sys/param.h>). */
#ifndef DF_NITEMS_H
#define DF_NITEMS_H

#ifndef nitems
#define nitems(_a)	(sizeof((_a)) / sizeof((_a)[0]))
#endif

#endif
