/*
 * ctl_report.c - chansyncctl report partner P|program ... --html FILE
 * [--pdf FILE] (contract §16): one self-contained page (inline CSS and
 * SVG, no script, nothing fetched), and a PDF of it through headless
 * Chromium when it is installed. The sections are in
 * ctl_report_partner.c and ctl_report_program.c.
 */
#include "ctl_report.h"
#include "lib/clock.h"
#include "lib/humanfmt.h"
#include "lib/json.h"
#include "lib/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

/* Printable, readable without colour, one column on paper. */
static const char css[] =
	"body{font-family:sans-serif;color:#222;max-width:960px;margin:24px "
	"auto;padding:0 16px;line-height:1.4}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px "
	"solid #ccc;padding-bottom:4px;margin-top:28px}"
	".sub{color:#555;margin:0 0 16px}"
	"table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}"
	"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e4e4}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}"
	".card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;"
	"min-width:130px}.card b{display:block;font-size:20px}"
	".card span{color:#555;font-size:12px}"
	".sev-critical{color:#b00020;font-weight:bold}.sev-warning{color:#8a5a00}"
	".note{color:#555;font-size:12px}svg{max-width:100%;height:auto}"
	"@media print{body{margin:0}h2{break-after:avoid}"
	"table,svg{break-inside:avoid}}";

void
report_open(struct report *r, const char *title, const char *subtitle)
{
	buf_addstr(r->b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-"
	    "width\"><meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
	    "<title>");
	html_escape(r->b, title);
	buf_addf(r->b, "</title><style>%s</style></head><body><h1>", css);
	html_escape(r->b, title);
	buf_addstr(r->b, "</h1><p class=\"sub\">");
	html_escape(r->b, subtitle);
	buf_addstr(r->b, "</p>\n");
}

void
report_close(struct report *r)
{
	char now[CLOCK_ISO_LEN];

	clock_now_iso(now);
	buf_addstr(r->b, "<p class=\"note\">Prepared by chansync from the CRM "
	    "and the deal-registration sources, ");
	html_escape(r->b, now);
	buf_addstr(r->b, ". Amounts in ");
	html_escape(r->b, r->currency);
	buf_addstr(r->b, ".</p>\n</body></html>\n");
}

void
report_h2(struct report *r, const char *title)
{
	buf_addstr(r->b, "<h2>");
	html_escape(r->b, title);
	buf_addstr(r->b, "</h2>\n");
}

void
report_money(const struct report *r, double v, char *out, size_t len)
{
	human_money(v, r->currency, out, len);
}

struct jval *
report_rows(int rc_of_read, struct ctl_out *o)
{
	if (rc_of_read < 0) {
		jv_free(o->arr);
		o->arr = NULL;
		return NULL;
	}
	return o->arr;
}

/* Writes the page to path through a file beside it, then renames. */
static int
write_page(const char *path, const struct buf *b)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = EX_OK;

	if (f == NULL) {
		fprintf(stderr, "chansyncctl: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return EX_CANTCREAT;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		fprintf(stderr, "chansyncctl: writing %s: %s\n", tmp, strerror(errno));
		rc = EX_IOERR;
	}
	if (fclose(f) != 0 && rc == EX_OK)
		rc = EX_IOERR;
	if (rc == EX_OK && rename(tmp, path) != 0) {
		fprintf(stderr, "chansyncctl: %s: %s\n", path, strerror(errno));
		rc = EX_CANTCREAT;
	}
	if (rc != EX_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* The browser that prints: $CHANSYNC_CHROMIUM, else chromium on PATH. */
static char *
find_chromium(void)
{
	const char *env = getenv("CHANSYNC_CHROMIUM"), *path = getenv("PATH");
	char *dirs, *d, *save = NULL;

	if (env && *env)
		return access(env, X_OK) == 0 ? xstrdup(env) : NULL;
	dirs = xstrdup(path ? path : "/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/chromium", d);

		if (access(p, X_OK) == 0) {
			free(dirs);
			return p;
		}
		free(p);
	}
	free(dirs);
	return NULL;
}

/*
 * Prints html (a file) to pdf through headless Chromium, with no network:
 * the page needs none, and a proxy that leads nowhere keeps it so.
 */
static int
print_pdf(const char *html, const char *pdf)
{
	char *bin = find_chromium(), *url, *out, *abs;
	pid_t pid;
	int st;

	if (bin == NULL) {
		fprintf(stderr, "chansyncctl: --pdf needs Chromium (Debian: apt-get "
		    "install chromium); --html writes the page to print from any "
		    "browser\n");
		return EX_UNAVAILABLE;
	}
	abs = realpath(html, NULL);
	url = xasprintf("file://%s", abs ? abs : html);
	out = xasprintf("--print-to-pdf=%s", pdf);
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl(bin, bin, "--headless", "--no-sandbox", "--disable-gpu",
		    "--no-first-run", "--proxy-server=127.0.0.1:9",
		    "--no-pdf-header-footer", out, url, (char *)NULL);
		_exit(127);
	}
	st = -1;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	free(bin);
	free(abs);
	free(url);
	free(out);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
	    access(pdf, R_OK) != 0) {
		fprintf(stderr, "chansyncctl: Chromium could not print %s\n", pdf);
		return EX_SOFTWARE;
	}
	return EX_OK;
}

static int
usage(void)
{
	fprintf(stderr, "usage: chansyncctl report partner P [--period Q] "
	    "[--audience internal|partner] --html FILE [--pdf FILE]\n"
	    "       chansyncctl report program [--period Q] --html FILE "
	    "[--pdf FILE]\n");
	return EX_USAGE;
}

/* The periods of now and the day, in the daemon's zone. */
static int
report_when(struct report *r)
{
	const struct config *cfg = r->c->cfg;
	int64_t now = clock_now();
	struct tm tm;

	if (plan_period_of(now, cfg->daemon.timezone, cfg->rules.pipeline.period,
	    0, &r->cur) < 0 || plan_period_of(now, cfg->daemon.timezone,
	    cfg->rules.pipeline.period, -1, &r->next) < 0 ||
	    clock_local(now, cfg->daemon.timezone, &tm) < 0) {
		fprintf(stderr, "chansyncctl: unknown time zone %s\n",
		    cfg->daemon.timezone);
		return EX_CONFIG;
	}
	strftime(r->today, sizeof(r->today), "%Y-%m-%d", &tm);
	return EX_OK;
}

static int
write_outputs(const char *html, const char *pdf, const struct buf *b)
{
	char tmpl[] = "/tmp/chansync-report-XXXXXX.html";
	int rc, fd;

	if (html && (rc = write_page(html, b)) != EX_OK)
		return rc;
	if (pdf == NULL)
		return EX_OK;
	if (html)
		return print_pdf(html, pdf);
	if ((fd = mkstemps(tmpl, 5)) < 0) {
		fprintf(stderr, "chansyncctl: %s: %s\n", tmpl, strerror(errno));
		return EX_CANTCREAT;
	}
	close(fd);
	if ((rc = write_page(tmpl, b)) == EX_OK)
		rc = print_pdf(tmpl, pdf);
	unlink(tmpl);
	return rc;
}

int
ctl_cmd_report(struct ctl *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "period", required_argument, NULL, 'p' },
		{ "audience", required_argument, NULL, 'a' },
		{ "html", required_argument, NULL, 'h' },
		{ "pdf", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *html = NULL, *pdf = NULL, *what, *who = NULL;
	struct report r;
	struct buf b;
	char pid[64];
	int ch, rc;

	memset(&r, 0, sizeof(r));
	if (argc < 2)
		return usage();
	what = argv[1];
	if (strcmp(what, "partner") == 0) {
		if (argc < 3 || argv[2][0] == '-')
			return usage();
		who = argv[2];
		argc -= 2;
		argv += 2;
	} else if (strcmp(what, "program") == 0) {
		argc -= 1;
		argv += 1;
	} else
		return usage();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (ch == 'p')
			r.period = optarg;
		else if (ch == 'h')
			html = optarg;
		else if (ch == 'f')
			pdf = optarg;
		else if (ch == 'a' && (strcmp(optarg, "partner") == 0 ||
		    strcmp(optarg, "internal") == 0))
			r.partner_audience = strcmp(optarg, "partner") == 0;
		else
			return usage();
	}
	if (optind != argc || (html == NULL && pdf == NULL)) {
		fprintf(stderr, "chansyncctl: report: --html FILE or --pdf FILE "
		    "says where the report goes\n");
		return usage();
	}
	if (r.period && plan_period_named(r.period, &r.cur) < 0) {
		fprintf(stderr, "chansyncctl: --period %s: expected a period such "
		    "as 2026-Q4, 2026-11 or 2026\n", r.period);
		return EX_USAGE;
	}
	if ((rc = ctl_open_store(c)) != EX_OK)
		return rc;
	r.c = c;
	r.currency = c->cfg->normalize.base_currency ?
	    c->cfg->normalize.base_currency : "USD";
	if ((rc = report_when(&r)) != EX_OK)
		return rc;
	if (r.period == NULL)
		r.period = r.cur.name;
	buf_init(&b, 0);
	r.b = &b;
	if (who && (rc = ctl_partner_id(c, who, pid)) != EX_OK) {
		buf_free(&b);
		return rc;
	}
	rc = who ? report_partner(&r, pid) : report_program(&r);
	if (rc == EX_OK)
		rc = write_outputs(html, pdf, &b);
	if (rc == EX_OK && !c->json)
		printf("report written:%s%s%s%s\n", html ? " " : "", html ? html : "",
		    pdf ? " " : "", pdf ? pdf : "");
	buf_free(&b);
	return rc;
}
