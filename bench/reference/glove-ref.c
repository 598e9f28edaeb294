/*
 * A yardstick trainer with the update of the Stanford GloVe tool (version 1.2):
 * double precision, AdaGrad with accumulators starting at 1, eta applied to the
 * clipped vector steps and not to the bias steps, the records shuffled once and
 * split into one contiguous slice per thread, the threads updating the shared
 * parameters without locks. Written for bench/glove-spread.mjs, which measures how
 * much the quality of this algorithm varies from seed to seed.
 *
 *   glove-ref COOC_BIN VOCAB_SIZE SEED ITERATIONS THREADS DIM X_MAX OUT_F32 [once|every]
 *
 * once (default): the records are shuffled once before training, as GloVe's shuffle
 * tool does; every: reshuffled before each iteration, as wordloom's glove op does.
 * COOC_BIN: GloVe's binary co-occurrence records (int32 word1, int32 word2,
 * float64 value; word ids from 1). OUT_F32: VOCAB_SIZE rows of DIM float32, the
 * word vector plus the context vector of each word (GloVe -model 2).
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int32_t w1, w2; double x; } record_t;

static record_t *recs;
static long long n_recs;
static long long vocab;
static int dim, threads;
static double *W, *G, *costs;
static double x_max, alpha = 0.75, eta = 0.05, clip = 100.0;

/* splitmix64: seeds and draws for the initialisation and the shuffle */
static uint64_t rng_state;
static uint64_t next_u64(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
static double next_unit(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; }

static void shuffle_records(void) { /* Fisher-Yates */
  for (long long i = n_recs - 1; i > 0; i--) {
    long long j = (long long)(next_unit() * (double)(i + 1));
    record_t t = recs[i]; recs[i] = recs[j]; recs[j] = t;
  }
}

static double clamp(double v) { return v > clip ? clip : (v < -clip ? -clip : v); }

static void *train_slice(void *arg) {
  long long id = (long long)(intptr_t)arg;
  long long per = n_recs / threads;
  long long start = per * id, end = id == threads - 1 ? n_recs : start + per;
  long long D = dim + 1;
  double *up1 = malloc(sizeof(double) * dim), *up2 = malloc(sizeof(double) * dim);
  double cost = 0;
  for (long long k = start; k < end; k++) {
    const record_t r = recs[k];
    long long l1 = (long long)(r.w1 - 1) * D, l2 = ((long long)(r.w2 - 1) + vocab) * D;
    double diff = 0;
    for (int b = 0; b < dim; b++) diff += W[l1 + b] * W[l2 + b];
    diff += W[l1 + dim] + W[l2 + dim] - log(r.x);
    double fdiff = r.x > x_max ? diff : pow(r.x / x_max, alpha) * diff;
    if (!isfinite(diff) || !isfinite(fdiff)) continue;
    cost += 0.5 * fdiff * diff;
    double s1 = 0, s2 = 0;
    for (int b = 0; b < dim; b++) {
      double t1 = clamp(fdiff * W[l2 + b]) * eta;
      double t2 = clamp(fdiff * W[l1 + b]) * eta;
      up1[b] = t1 / sqrt(G[l1 + b]);
      up2[b] = t2 / sqrt(G[l2 + b]);
      s1 += up1[b];
      s2 += up2[b];
      G[l1 + b] += t1 * t1;
      G[l2 + b] += t2 * t2;
    }
    if (isfinite(s1) && isfinite(s2)) {
      for (int b = 0; b < dim; b++) {
        W[l1 + b] -= up1[b];
        W[l2 + b] -= up2[b];
      }
    }
    double b1 = fdiff / sqrt(G[l1 + dim]), b2 = fdiff / sqrt(G[l2 + dim]);
    if (isfinite(b1)) W[l1 + dim] -= b1;
    if (isfinite(b2)) W[l2 + dim] -= b2;
    G[l1 + dim] += fdiff * fdiff;
    G[l2 + dim] += fdiff * fdiff;
  }
  costs[id] = cost;
  free(up1);
  free(up2);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 9 && argc != 10) {
    fprintf(stderr, "usage: glove-ref COOC_BIN VOCAB_SIZE SEED ITERATIONS THREADS DIM X_MAX OUT_F32 [once|every]\n");
    return 2;
  }
  const char *in = argv[1], *out = argv[8];
  vocab = atoll(argv[2]);
  rng_state = (uint64_t)atoll(argv[3]) * 0x2545F4914F6CDD1DULL + 1;
  int iters = atoi(argv[4]);
  threads = atoi(argv[5]);
  dim = atoi(argv[6]);
  x_max = atof(argv[7]);
  int every = argc == 10 && strcmp(argv[9], "every") == 0;
  if (argc == 10 && !every && strcmp(argv[9], "once") != 0) {
    fprintf(stderr, "glove-ref: the order is once or every, got %s\n", argv[9]);
    return 2;
  }
  if (vocab < 1 || iters < 1 || threads < 1 || dim < 1 || !(x_max > 0)) {
    fprintf(stderr, "glove-ref: VOCAB_SIZE, ITERATIONS, THREADS, DIM and X_MAX must be positive\n");
    return 2;
  }
  FILE *f = fopen(in, "rb");
  if (!f) { perror(in); return 1; }
  fseek(f, 0, SEEK_END);
  long long bytes = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (bytes % (long long)sizeof(record_t)) { fprintf(stderr, "%s: size is not a multiple of 16 bytes\n", in); return 1; }
  n_recs = bytes / (long long)sizeof(record_t);
  recs = malloc(bytes);
  if (!recs || fread(recs, sizeof(record_t), n_recs, f) != (size_t)n_recs) { fprintf(stderr, "%s: read failed\n", in); return 1; }
  fclose(f);
  for (long long k = 0; k < n_recs; k++) {
    if (recs[k].w1 < 1 || recs[k].w1 > vocab || recs[k].w2 < 1 || recs[k].w2 > vocab || !(recs[k].x > 0)) {
      fprintf(stderr, "%s: record %lld is out of range for a vocabulary of %lld words\n", in, k, vocab);
      return 1;
    }
  }
  long long D = dim + 1, size = 2 * vocab * D;
  W = malloc(sizeof(double) * size);
  G = malloc(sizeof(double) * size);
  costs = calloc(threads, sizeof(double));
  for (long long i = 0; i < size; i++) { W[i] = (next_unit() - 0.5) / dim; G[i] = 1.0; }
  shuffle_records();
  pthread_t *tid = malloc(sizeof(pthread_t) * threads);
  for (int it = 1; it <= iters; it++) {
    if (every && it > 1) shuffle_records();
    for (long long t = 0; t < threads; t++) pthread_create(&tid[t], NULL, train_slice, (void *)(intptr_t)t);
    double cost = 0;
    for (int t = 0; t < threads; t++) { pthread_join(tid[t], NULL); cost += costs[t]; }
    fprintf(stderr, "iter %d cost %.6f\n", it, cost / (double)n_recs);
  }
  float *vec = malloc(sizeof(float) * vocab * dim);
  for (long long a = 0; a < vocab; a++)
    for (int b = 0; b < dim; b++) vec[a * dim + b] = (float)(W[a * D + b] + W[(vocab + a) * D + b]);
  FILE *o = fopen(out, "wb");
  if (!o || fwrite(vec, sizeof(float), vocab * dim, o) != (size_t)(vocab * dim) || fclose(o)) { perror(out); return 1; }
  return 0;
}
