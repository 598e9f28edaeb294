/*
 * liblinear's train() timed alone, for bench/linear.mjs: reads a libsvm/svmlight
 * file as liblinear-train does (labels, index:value pairs, -B 1: a bias feature of
 * value 1 after the largest index), then times train() with the solver's default
 * stopping tolerance and C = 1, and optionally tests the model on a second file.
 *
 *   gcc -O2 -o liblinear_time bench/reference/liblinear_time.c -llinear   (Debian: liblinear-dev)
 *   liblinear_time SOLVER TRAIN.svm [TEST.svm]
 *
 * Prints one JSON line: {"solver", "train_seconds", "examples", "features", "accuracy"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linear.h>

static void quiet(const char *s) { (void)s; }

struct data {
  int l, max_index;
  double *y;
  struct feature_node **x;
  struct feature_node *pool;
};

/* Two passes over the file: count, then fill; every example ends with the bias node (-B 1) and -1. */
static int read_svm(const char *path, struct data *d, int bias_index) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); return -1; }
  size_t cap = 1 << 20;
  char *line = malloc(cap);
  long nodes = 0;
  d->l = 0;
  d->max_index = 0;
  int c, prev = '\n';
  while ((c = fgetc(f)) != EOF) {
    if (c == ':') nodes++;
    if (c == '\n') d->l++;
    prev = c;
  }
  if (prev != '\n') d->l++;
  rewind(f);
  d->y = malloc(sizeof(double) * d->l);
  d->x = malloc(sizeof(struct feature_node *) * d->l);
  d->pool = malloc(sizeof(struct feature_node) * (nodes + 2L * d->l));
  long j = 0;
  for (int i = 0; i < d->l; i++) {
    size_t len = 0;
    line[0] = 0;
    while (fgets(line + len, (int)(cap - len), f)) {
      len += strlen(line + len);
      if (len > 0 && line[len - 1] == '\n') break;
      cap *= 2;
      line = realloc(line, cap);
    }
    char *p = line, *end;
    d->y[i] = strtod(p, &end);
    p = end;
    d->x[i] = &d->pool[j];
    for (;;) {
      while (*p == ' ' || *p == '\t') p++;
      if (*p == '\n' || *p == '\r' || *p == 0) break;
      long index = strtol(p, &end, 10);
      if (end == p || *end != ':') break;
      p = end + 1;
      double value = strtod(p, &end);
      p = end;
      d->pool[j].index = (int)index;
      d->pool[j].value = value;
      if (index > d->max_index) d->max_index = (int)index;
      j++;
    }
    d->pool[j].index = bias_index; /* filled in once the largest index is known */
    d->pool[j].value = 1;
    j++;
    d->pool[j++].index = -1;
  }
  free(line);
  fclose(f);
  return 0;
}

static void set_bias_index(struct data *d, int index) {
  for (int i = 0; i < d->l; i++) {
    struct feature_node *n = d->x[i];
    while (n[1].index != -1) n++;
    n->index = index;
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SOLVER TRAIN.svm [TEST.svm]\n", argv[0]);
    return 2;
  }
  set_print_string_function(quiet);
  int solver = atoi(argv[1]);
  struct data tr;
  if (read_svm(argv[2], &tr, 0)) return 1;
  struct data te = {0};
  if (argc > 3 && read_svm(argv[3], &te, 0)) return 1;
  int n = tr.max_index + 1; /* the bias feature's index, after the training set's largest (as liblinear-train) */
  set_bias_index(&tr, n);
  if (te.l) set_bias_index(&te, n);
  struct problem prob = { tr.l, n, tr.y, tr.x, 1.0 };
  struct parameter param = {0};
  param.solver_type = solver;
  param.C = 1;
  param.p = 0.1;
  /* liblinear-train's default tolerances */
  param.eps = solver == L2R_LR || solver == L2R_L2LOSS_SVC || solver == L2R_L2LOSS_SVR ? 0.01 : solver == L1R_L2LOSS_SVC || solver == L1R_LR ? 0.01 : 0.1;
  const char *err = check_parameter(&prob, &param);
  if (err) { fprintf(stderr, "%s\n", err); return 1; }
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  struct model *m = train(&prob, &param);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  double acc = -1;
  if (te.l) {
    int ok = 0;
    for (int i = 0; i < te.l; i++) ok += predict(m, te.x[i]) == te.y[i];
    acc = (double)ok / te.l;
  }
  printf("{\"solver\": %d, \"train_seconds\": %.6f, \"examples\": %d, \"features\": %d, \"accuracy\": %.6f}\n", solver, secs, tr.l, n, acc);
  free_and_destroy_model(&m);
  return 0;
}
