/*
 * source_file_drop.c - the file_drop source: CSV (RFC 4180, header row) and
 * NDJSON files dropped into a spool directory.
 *
 * Exactly-once, crash-safe ingestion: a file's records, its quarantine
 * rows, its ledger row (name, device, inode, mtime, SHA-256) and its
 * audit rows commit in one transaction; only then is it renamed into
 * done/ (or failed/, with NAME.reason beside it). A crash after the
 * commit and before the rename is healed on the next run: the ledger
 * recognises the very same file and only the rename is repeated. A crash
 * before the commit leaves nothing behind, and the file is read again.
 * Files are taken in name order; dot-files and *.tmp are still being
 * written (writers rename into place) and are left alone.
 */
#include "lib/csv.h"
#include "lib/digest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/mem.h"
#include "sources/record.h"
#include "sources/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TICK_EVERY 2000	/* records between watchdog/stop checks */

struct file_info {
	const char *name;
	struct stat st;
	char sha[DIGEST_HEX_LEN + 1];
};

/* A name in dir (done/ or failed/) that does not exist yet. */
static char *
unique_name(int dfd, const char *sub, const char *name)
{
	char *cand = xasprintf("%s/%s", sub, name);
	int i;

	for (i = 1; faccessat(dfd, cand, F_OK, AT_SYMLINK_NOFOLLOW) == 0; i++) {
		free(cand);
		cand = xasprintf("%s/%s.%d", sub, name, i);
	}
	return cand;
}

static void
sync_dirs(int dfd)
{
	int sub;

	if ((sub = openat(dfd, "done", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(sub);
		close(sub);
	}
	if ((sub = openat(dfd, "failed", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(sub);
		close(sub);
	}
	fsync(dfd);
}

static int
write_reason(int dfd, const char *moved_to, const char *reason)
{
	char *path = xasprintf("%s.reason", moved_to);
	char *text = xasprintf("%s\n", reason);
	int fd, rc = -1;

	fd = openat(dfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0640);
	if (fd >= 0) {
		rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
		close(fd);
	}
	free(path);
	free(text);
	return rc;
}

static void
ledger_fill(struct source_run *run, struct store_file *f,
    const struct file_info *fi)
{
	memset(f, 0, sizeof(*f));
	f->source = run->src->name;
	f->name = fi->name;
	f->dev = (uint64_t)fi->st.st_dev;
	f->ino = (uint64_t)fi->st.st_ino;
	f->mtime_ns = (int64_t)fi->st.st_mtim.tv_sec * 1000000000 +
	    fi->st.st_mtim.tv_nsec;
	f->size = (int64_t)fi->st.st_size;
	f->sha256 = fi->sha;
	f->cycle_id = run->cycle_id;
}

/*
 * Moves an unreadable file to failed/ with a .reason file, after its
 * ledger row and audit row have committed.
 */
static enum source_status
fail_file(struct source_run *run, int dfd, struct file_info *fi,
    const char *reason)
{
	struct store_file f;
	struct jval *detail;
	char *moved = unique_name(dfd, "failed", fi->name);
	const char *fields[3];
	char *f0, *f1;

	if (fi->sha[0] == '\0')
		snprintf(fi->sha, sizeof(fi->sha), "unread");
	ledger_fill(run, &f, fi);
	f.status = "failed";
	f.moved_to = moved;
	f.reason = reason;
	if (land_begin(run) < 0)
		goto store_failed;
	detail = jv_object();
	jv_set_str(detail, "file", fi->name);
	jv_set_str(detail, "moved_to", moved);
	jv_set_str(detail, "reason", reason);
	if (store_file_add(run->st, &f, run->now) < 0) {
		jv_free(detail);	/* audit_log would have taken it */
		detail = NULL;
	}
	if (detail == NULL || audit_log(run->au, run->cycle_id, "file.failed",
	    "source", run->src->name, detail) < 0) {
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
		land_rollback(run);
		goto store_failed;
	}
	if (land_commit(run) < 0)
		goto store_failed;
	run->failed_files++;
	f0 = xasprintf("CHANSYNC_SOURCE=%s", run->src->name);
	f1 = xasprintf("CHANSYNC_RECORD=%s", fi->name);
	fields[0] = f0;
	fields[1] = f1;
	fields[2] = NULL;
	log_event(LOG_WARNING, MSGID_FILE_FAILED, fields, "source %s: file "
	    "'%s' moved to %s: %s", run->src->name, fi->name, moved, reason);
	free(f0);
	free(f1);
	if (renameat(dfd, fi->name, dfd, moved) < 0)
		log_err("source %s: cannot move '%s' to %s: %s", run->src->name,
		    fi->name, moved, strerror(errno));
	else if (write_reason(dfd, moved, reason) < 0)
		log_err("source %s: cannot write %s.reason: %s", run->src->name,
		    moved, strerror(errno));
	sync_dirs(dfd);
	free(moved);
	return SOURCE_OK;
store_failed:
	free(moved);
	return SOURCE_STORE_FAILED;
}

/* ---- the two formats ---- */

struct csv_ctx {
	const struct csv_record *rec;
	const int *col;		/* config field i -> column, -1 absent */
	const struct config_source *src;
};

static int
csv_get(void *ctx, const struct config_field *f, struct arena *a, char **ret,
    char *err, size_t errlen)
{
	const struct csv_ctx *c = ctx;
	int col = c->col[f - c->src->fields];

	(void)err;
	(void)errlen;
	if (col < 0 || (size_t)col >= c->rec->n)
		return 0;
	*ret = arena_strdup(a, c->rec->fields[col]);
	return 1;
}

/* A file with too many bad records is refused whole: 2, with the reason. */
static int
too_many_bad(char **file_reason)
{
	*file_reason = xasprintf("more than %d of its records could not be "
	    "read; the file is refused whole", LAND_QUARANTINE_MAX);
	return 2;
}

/*
 * Reads the records of a CSV file. Returns 0, -1 on a store error, 1 when
 * stopped, or 2 with *file_reason set when the file itself is unusable.
 */
static int
read_csv(struct source_run *run, const struct file_info *fi,
    const char *data, size_t len, char **file_reason)
{
	const struct config_source *src = run->src;
	struct csv c;
	struct csv_record head = { 0 }, rec = { 0 };
	char err[256], pos[300];
	int *col = NULL, rc = 0, r;
	size_t i, j;
	int64_t n = 0;

	csv_init(&c, data, len, src->delimiter ? src->delimiter[0] : ',');
	r = csv_next(&c, &head, err, sizeof(err));
	if (r <= 0) {
		*file_reason = r == 0 ? xstrdup("no header row") :
		    xasprintf("the header row is malformed: %s", err);
		rc = 2;
		goto out;
	}
	col = xcalloc(src->nfields ? src->nfields : 1, sizeof(*col));
	for (i = 0; i < src->nfields; i++) {
		col[i] = -1;
		for (j = 0; j < head.n; j++)
			if (strcmp(head.fields[j], src->fields[i].src) == 0) {
				col[i] = (int)j;
				break;
			}
		if (col[i] < 0 && src->fields[i].index >= 0 &&
		    entity_def(src->entity)->fields[src->fields[i].index].required) {
			*file_reason = xasprintf("column '%s' (fields.%s) is not "
			    "in the header row", src->fields[i].src,
			    src->fields[i].canon);
			rc = 2;
			goto out;
		}
	}
	while ((r = csv_next(&c, &rec, err, sizeof(err))) != 0) {
		size_t rl = rec.rawlen;
		char *raw;

		while (rl > 0 && (rec.raw[rl - 1] == '\n' || rec.raw[rl - 1] == '\r'))
			rl--;
		raw = xstrndup(rec.raw, rl < LAND_RAW_BYTES ? rl : LAND_RAW_BYTES);

		snprintf(pos, sizeof(pos), "%s:%d", fi->name, rec.line);
		if (r < 0)
			rc = land_quarantine(run, pos, NULL, NULL, err, raw);
		else if (rec.n != head.n) {
			snprintf(err, sizeof(err), "the record has %zu fields, the "
			    "header has %zu", rec.n, head.n);
			rc = land_quarantine(run, pos, NULL, NULL, err, raw);
		} else {
			struct csv_ctx cc = { &rec, col, src };

			rc = land_map(run, csv_get, &cc, pos, raw);
		}
		free(raw);
		if (rc < 0)
			goto out;
		if (land_quarantine_full(run)) {
			rc = too_many_bad(file_reason);
			goto out;
		}
		if (++n % TICK_EVERY == 0 && land_tick(run)) {
			rc = 1;
			goto out;
		}
	}
out:
	free(col);
	csv_record_free(&head);
	csv_record_free(&rec);
	return rc;
}

static int
read_ndjson(struct source_run *run, const struct file_info *fi,
    const char *data, size_t len, char **file_reason)
{
	const char *p = data, *end = data + len;
	char err[256], pos[300];
	int line = 0, rc = 0;
	int64_t n = 0;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t l = (size_t)(le - p);
		struct jval *v;
		char *raw;

		line++;
		while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' ' ||
		    p[l - 1] == '\t'))
			l--;
		if (l == 0) {
			p = nl ? nl + 1 : end;
			continue;
		}
		snprintf(pos, sizeof(pos), "%s:%d", fi->name, line);
		if (l > LAND_RECORD_BYTES_MAX) {
			/* not parsed: a line of megabytes is no record */
			raw = xstrndup(p, 256);
			rc = land_quarantine(run, pos, NULL, NULL, "the line is longer "
			    "than 1 MiB", raw);
			free(raw);
			if (rc < 0)
				return -1;
			p = nl ? nl + 1 : end;
			continue;
		}
		raw = xstrndup(p, l);
		v = jv_parse(p, l, err, sizeof(err));
		if (v == NULL) {
			char *why = xasprintf("invalid JSON: %s", err);

			rc = land_quarantine(run, pos, NULL, NULL, why, raw);
			free(why);
		} else if (!jv_is_object(v))
			rc = land_quarantine(run, pos, NULL, NULL, "the line is "
			    "not a JSON object", raw);
		else {
			rc = land_map(run, land_json_get, v, pos, raw);
		}
		jv_free(v);
		free(raw);
		if (rc < 0)
			return -1;
		if (land_quarantine_full(run))
			return too_many_bad(file_reason);
		if (++n % TICK_EVERY == 0 && land_tick(run))
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Finishes what a crash interrupted: the ledger has this very file. */
static void
recover(struct source_run *run, int dfd, const struct file_info *fi,
    const char *status, const char *moved_to, const char *reason)
{
	struct jval *detail = jv_object();
	char *dest = moved_to && faccessat(dfd, moved_to, F_OK,
	    AT_SYMLINK_NOFOLLOW) != 0 ? xstrdup(moved_to) :
	    unique_name(dfd, strcmp(status, "failed") == 0 ? "failed" : "done",
	    fi->name);

	if (renameat(dfd, fi->name, dfd, dest) < 0) {
		log_err("source %s: cannot move '%s' to %s: %s", run->src->name,
		    fi->name, dest, strerror(errno));
		jv_free(detail);
		free(dest);
		return;
	}
	if (strcmp(status, "failed") == 0)
		write_reason(dfd, dest, reason ? reason : "unreadable");
	sync_dirs(dfd);
	log_notice("source %s: '%s' was already ingested before a restart; "
	    "moved to %s", run->src->name, fi->name, dest);
	jv_set_str(detail, "file", fi->name);
	jv_set_str(detail, "moved_to", dest);
	jv_set_str(detail, "status", status);
	if (audit_log(run->au, run->cycle_id, "file.recovered", "source",
	    run->src->name, detail) < 0)
		log_err("source %s: audit: %s", run->src->name,
		    store_errmsg(run->st));
	free(dest);
}

/*
 * Reads file fi->name whole into b (at most max_file_bytes). Returns 0,
 * or -1 when the file is not read: gone meanwhile, or failed (moved to
 * failed/ with its reason) with the status in *ret.
 */
static int
read_whole(struct source_run *run, int dfd, struct file_info *fi,
    struct buf *b, enum source_status *ret)
{
	char *reason = NULL;
	int fd, rc = -1;

	fd = openat(dfd, fi->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)	/* taken away meanwhile */
			return -1;
		fstatat(dfd, fi->name, &fi->st, AT_SYMLINK_NOFOLLOW);
		reason = xasprintf("cannot open: %s", errno == ELOOP ?
		    "it is a symbolic link" : strerror(errno));
		*ret = fail_file(run, dfd, fi, reason);
		goto out;
	}
	if (fstat(fd, &fi->st) < 0 || !S_ISREG(fi->st.st_mode)) {
		*ret = fail_file(run, dfd, fi, "not a regular file");
		goto out;
	}
	if (fi->st.st_size > run->src->max_file_bytes) {
		reason = xasprintf("the file is %lld bytes, more than "
		    "max_file_bytes (%lld)", (long long)fi->st.st_size,
		    (long long)run->src->max_file_bytes);
		*ret = fail_file(run, dfd, fi, reason);
		goto out;
	}
	buf_reserve(b, (size_t)fi->st.st_size);
	for (;;) {
		char chunk[65536];
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			reason = xasprintf("read error: %s", strerror(errno));
			*ret = fail_file(run, dfd, fi, reason);
			goto out;
		}
		if (r == 0)
			break;
		if (buf_add(b, chunk, (size_t)r) < 0) {
			*ret = fail_file(run, dfd, fi, "the file grew past "
			    "max_file_bytes while being read");
			goto out;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(reason);
	return rc;
}

/*
 * Lands the records of a file read whole (b) in one unit of work with
 * its ledger row f, then moves it to done/.
 */
static enum source_status
land_file(struct source_run *run, int dfd, struct file_info *fi,
    struct store_file *f, const struct buf *b)
{
	char *moved = NULL, *file_reason = NULL;
	enum source_status ret = SOURCE_OK;
	struct jval *detail;
	int rc;

	if (memchr(buf_str(b), '\0', b->len))
		return fail_file(run, dfd, fi, "the file contains NUL bytes; it "
		    "is not a CSV or NDJSON text file");
	if (land_begin(run) < 0)
		return SOURCE_STORE_FAILED;
	rc = run->src->format == FORMAT_CSV ?
	    read_csv(run, fi, buf_str(b), b->len, &file_reason) :
	    read_ndjson(run, fi, buf_str(b), b->len, &file_reason);
	if (rc != 0) {
		land_rollback(run);
		ret = rc == 2 ? fail_file(run, dfd, fi, file_reason) : rc == 1 ?
		    SOURCE_STOPPED : SOURCE_STORE_FAILED;
		free(file_reason);
		return ret;
	}
	moved = unique_name(dfd, "done", fi->name);
	f->status = "done";
	f->moved_to = moved;
	f->records = run->unit_records;
	f->quarantined = run->unit_quarantined;
	detail = jv_object();
	jv_set_str(detail, "file", fi->name);
	jv_set_str(detail, "sha256", fi->sha);
	jv_set_int(detail, "records", run->unit_records);
	jv_set_int(detail, "quarantined", run->unit_quarantined);
	jv_set_str(detail, "moved_to", moved);
	if (store_file_add(run->st, f, run->now) < 0) {
		jv_free(detail);	/* audit_log would have taken it */
		detail = NULL;
	}
	if (detail == NULL || audit_log(run->au, run->cycle_id, "file.done",
	    "source", run->src->name, detail) < 0) {
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
		land_rollback(run);
		ret = SOURCE_STORE_FAILED;
		goto out;
	}
	log_info("source %s: '%s': %lld records, %lld quarantined",
	    run->src->name, fi->name, (long long)run->unit_records,
	    (long long)run->unit_quarantined);
	if (land_commit(run) < 0) {
		ret = SOURCE_STORE_FAILED;
		goto out;
	}
	run->files++;
	if (renameat(dfd, fi->name, dfd, moved) < 0)
		log_err("source %s: '%s' is ingested but cannot be moved to %s: "
		    "%s; it will be moved on the next run", run->src->name,
		    fi->name, moved, strerror(errno));
	sync_dirs(dfd);
out:
	free(moved);
	return ret;
}

static enum source_status
ingest_file(struct source_run *run, int dfd, const char *name)
{
	struct file_info fi;
	struct store_file f;
	struct buf b;
	unsigned char h[DIGEST_LEN];
	char *status = NULL, *moved = NULL, *reason = NULL;
	enum source_status ret = SOURCE_OK;
	int rc;

	memset(&fi, 0, sizeof(fi));
	fi.name = name;
	buf_init(&b, (size_t)run->src->max_file_bytes + 1);
	if (read_whole(run, dfd, &fi, &b, &ret) < 0)
		goto out;
	sha256(buf_str(&b), b.len, h);
	hex_encode(h, DIGEST_LEN, fi.sha);
	ledger_fill(run, &f, &fi);
	rc = store_file_find(run->st, &f, &status, &moved, &reason);
	if (rc < 0) {
		snprintf(run->error, sizeof(run->error), "database: %s",
		    store_errmsg(run->st));
		ret = SOURCE_STORE_FAILED;
	} else if (rc == 1)
		recover(run, dfd, &fi, status, moved, reason);
	else
		ret = land_file(run, dfd, &fi, &f, &b);
out:
	buf_free(&b);
	free(status);
	free(moved);
	free(reason);
	return ret;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
wanted(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	if (n >= 4 && strcmp(name + n - 4, ".tmp") == 0)
		return 0;
	return 1;
}

/*
 * Waits until file name has not changed for the source's settle time (a
 * writer that does not rename may still be writing it), ticking the
 * watchdog. 0: take it; 1: leave it for the next cycle (max_run reached,
 * or it is gone); -1: the daemon is stopping.
 */
static int
settled(struct source_run *run, int dfd, const char *name)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct stat st;

	for (;;) {
		struct timespec now;
		int64_t age_ms;

		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 1;
		clock_gettime(CLOCK_REALTIME, &now);
		age_ms = ((int64_t)now.tv_sec - (int64_t)st.st_mtim.tv_sec) * 1000 +
		    ((int64_t)now.tv_nsec - (int64_t)st.st_mtim.tv_nsec) / 1000000;
		if (age_ms >= run->src->settle * 1000)
			return 0;
		if (land_out_of_time(run))
			return 1;
		if (land_tick(run))
			return -1;
		nanosleep(&pause, NULL);
	}
}

/*
 * done/ and failed/ receive the spool's files and their reasons: they
 * must be real directories of the daemon's user, not a symbolic link
 * (files would be moved, and .reason files written, wherever it points)
 * nor another user's. 0, or -1 with the reason in run->error.
 */
static int
own_dir(struct source_run *run, int dfd, const char *dir, const char *name)
{
	struct stat st;
	const char *why = NULL;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		why = strerror(errno);
	else if (S_ISLNK(st.st_mode))
		why = "it is a symbolic link";
	else if (!S_ISDIR(st.st_mode))
		why = "it is not a directory";
	else if (st.st_uid != geteuid())
		why = "it belongs to another user";
	if (why == NULL)
		return 0;
	snprintf(run->error, sizeof(run->error), "%s/%s cannot receive the "
	    "spool's files: %s; make it a directory of the daemon's own", dir,
	    name, why);
	return -1;
}

enum source_status
file_drop_run(struct source_run *run)
{
	const char *dir = run->src->path;
	enum source_status ret = SOURCE_OK;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dp = NULL;
	int dfd;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(run->error, sizeof(run->error), "cannot open the spool "
		    "directory %s: %s", dir, strerror(errno));
		return SOURCE_FAILED;
	}
	if ((mkdirat(dfd, "done", 0750) < 0 && errno != EEXIST) ||
	    (mkdirat(dfd, "failed", 0750) < 0 && errno != EEXIST)) {
		snprintf(run->error, sizeof(run->error), "cannot create %s/done "
		    "or %s/failed: %s", dir, dir, strerror(errno));
		close(dfd);
		return SOURCE_FAILED;
	}
	if (own_dir(run, dfd, dir, "done") < 0 ||
	    own_dir(run, dfd, dir, "failed") < 0) {
		close(dfd);
		return SOURCE_FAILED;
	}
	if ((dp = fdopendir(dup(dfd))) == NULL) {
		snprintf(run->error, sizeof(run->error), "cannot list %s: %s",
		    dir, strerror(errno));
		close(dfd);
		return SOURCE_FAILED;
	}
	while ((de = readdir(dp)) != NULL) {
		struct stat st;

		if (!wanted(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    S_ISDIR(st.st_mode))
			continue;
		xgrow(&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && ret == SOURCE_OK; i++) {
		if (land_tick(run)) {
			ret = SOURCE_STOPPED;
			break;
		}
		if (land_out_of_time(run)) {
			log_notice("source %s: max_run of %llds reached; %zu file%s "
			    "left for the next cycle", run->src->name,
			    (long long)run->src->max_run, n - i, n - i == 1 ? "" : "s");
			break;
		}
		switch (settled(run, dfd, names[i])) {
		case -1:
			ret = SOURCE_STOPPED;
			continue;
		case 1:
			continue;	/* still changing, or gone */
		}
		ret = ingest_file(run, dfd, names[i]);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	close(dfd);
	return ret;
}
