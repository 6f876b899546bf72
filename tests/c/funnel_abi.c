/* The Markov funnel through the C ABI only (pure C99): closed-form checks, the two-call
 * buffer pattern, and every bad-input path returning a status with a message. */
#include <stdlib.h>

#include "check.h"
#include "funnelnet.h"

static fnet_chain* drunkard(void) {
  const char* names[] = {"0", "1", "2", "3", "4"};
  const unsigned char absorbing[] = {1, 0, 0, 0, 1};
  const double p[25] = {1, 0, 0, 0, 0, .5, 0, .5, 0, 0, 0, .5, 0, .5, 0, 0, 0, .5, 0, .5, 0, 0, 0, 0, 1};
  fnet_stages* s = NULL;
  fnet_chain* c = NULL;
  CHECK_OK(fnet_stages_create(&s, 5, names, absorbing));
  CHECK_OK(fnet_chain_create(&c, s, p, 0.0));
  fnet_stages_destroy(s);
  return c;
}

static void test_version(void) {
  CHECK(fnet_version_number() == FNET_VERSION_NUMBER);
  CHECK(strlen(fnet_version_string()) >= 5);
  CHECK(strcmp(fnet_status_name(FNET_E_NOT_ABSORBING), "not_absorbing") == 0);
}

static void test_absorbing(void) {
  fnet_chain* c = drunkard();
  fnet_absorbing* a = NULL;
  size_t nt = 0, na = 0, needed = 0;
  double b[6], n[9], t[3], v[3];
  size_t idx[3];
  const double b_expected[6] = {.75, .25, .5, .5, .25, .75};
  const double n_expected[9] = {1.5, 1, .5, 1, 2, 1, .5, 1, 1.5};
  int i;
  CHECK_OK(fnet_absorbing_analyze(&a, c));
  CHECK_OK(fnet_absorbing_sizes(&nt, &na, a));
  CHECK(nt == 3 && na == 2);
  /* Two-call pattern: size query, too small, then fill. */
  CHECK_OK(fnet_absorbing_probabilities(NULL, 0, &needed, a));
  CHECK(needed == 6);
  CHECK_STATUS(fnet_absorbing_probabilities(b, 5, &needed, a), FNET_E_BUFFER_TOO_SMALL, "6 needed");
  CHECK(needed == 6);
  CHECK_OK(fnet_absorbing_probabilities(b, 6, &needed, a));
  for (i = 0; i < 6; ++i) CHECK_NEAR(b[i], b_expected[i], 1e-12);
  CHECK_OK(fnet_absorbing_fundamental(n, 9, &needed, a));
  for (i = 0; i < 9; ++i) CHECK_NEAR(n[i], n_expected[i], 1e-12);
  CHECK_OK(fnet_absorbing_expected_steps(t, 3, &needed, a));
  CHECK_NEAR(t[0], 3, 1e-12);
  CHECK_NEAR(t[1], 4, 1e-12);
  CHECK_NEAR(t[2], 3, 1e-12);
  CHECK_OK(fnet_absorbing_steps_variance(v, 3, &needed, a));
  CHECK_NEAR(v[1], 8, 1e-12);
  CHECK_OK(fnet_absorbing_transient(idx, 3, &needed, a));
  CHECK(idx[0] == 1 && idx[1] == 2 && idx[2] == 3);
  fnet_absorbing_destroy(a);
  fnet_chain_destroy(c);
}

/* A funnel of `n` states (n - 2 stages moving forward 1..3 and back 1, then won, lost),
 * dense row-major into p, and the same chain as CSR arrays (entries > 0 only). */
static size_t banded(int n, double* p, int64_t* off, int32_t* col, double* val) {
  int i, j, nt = n - 2;
  size_t k = 0;
  unsigned s = 12345u;
  for (i = 0; i < n * n; ++i) p[i] = 0;
  for (i = 0; i < nt; ++i) {
    double sum = 0;
    for (j = 0; j < n; ++j) {
      int near = (j > i && j <= i + 3 && j < nt) || (j == i - 1) || j >= nt;
      if (near) {
        s = s * 1103515245u + 12345u;
        p[i * n + j] = 0.05 + (double)((s >> 8) % 1000) / 1000.0;
        sum += p[i * n + j];
      }
    }
    for (j = 0; j < n; ++j) p[i * n + j] /= sum;
  }
  p[nt * n + nt] = p[(nt + 1) * n + nt + 1] = 1;
  off[0] = 0;
  for (i = 0; i < n; ++i) {
    for (j = 0; j < n; ++j)
      if (p[i * n + j] > 0) {
        col[k] = j;
        val[k++] = p[i * n + j];
      }
    off[i + 1] = (int64_t)k;
  }
  return k;
}

static void test_absorbing_csr(void) {
  enum { N = 40 };
  static double p[N * N], val[N * N], bd[N * 2], bs[N * 2], td[N], ts[N], vd[N], vs[N], f[N * N];
  static int64_t off[N + 1];
  static int32_t col[N * N];
  size_t idx_d[N], idx_s[N], needed = 0, nt = 0, na = 0, i;
  fnet_stages* st = NULL;
  fnet_chain* c = NULL;
  fnet_absorbing *d = NULL, *a = NULL;
  const char* names[N];
  unsigned char flags[N];
  char buf[N][8];
  size_t nnz = banded(N, p, off, col, val);
  for (i = 0; i < N; ++i) {
    snprintf(buf[i], sizeof buf[i], "s%d", (int)i);
    names[i] = buf[i];
    flags[i] = i >= N - 2;
  }
  /* The dense entry is the oracle: the same figures from the CSR arrays. */
  CHECK_OK(fnet_stages_create(&st, N, names, flags));
  CHECK_OK(fnet_chain_create(&c, st, p, 0.0));
  CHECK_OK(fnet_absorbing_analyze(&d, c));
  CHECK_OK(fnet_absorbing_analyze_csr(&a, N, off, col, val, 0.0, NULL));
  CHECK_OK(fnet_absorbing_sizes(&nt, &na, a));
  CHECK(nt == N - 2 && na == 2);
  CHECK_OK(fnet_absorbing_transient(idx_d, N, &needed, d));
  CHECK_OK(fnet_absorbing_transient(idx_s, N, &needed, a));
  for (i = 0; i < nt; ++i) CHECK(idx_d[i] == idx_s[i]);
  CHECK_OK(fnet_absorbing_probabilities(bd, 2 * N, &needed, d));
  CHECK_OK(fnet_absorbing_probabilities(bs, 2 * N, &needed, a));
  CHECK(needed == 2 * nt);
  for (i = 0; i < 2 * nt; ++i) CHECK_NEAR(bs[i], bd[i], 1e-12);
  for (i = 0; i < nt; ++i) CHECK_NEAR(bs[2 * i] + bs[2 * i + 1], 1.0, 1e-12);
  CHECK_OK(fnet_absorbing_expected_steps(td, N, &needed, d));
  CHECK_OK(fnet_absorbing_expected_steps(ts, N, &needed, a));
  CHECK_OK(fnet_absorbing_steps_variance(vd, N, &needed, d));
  CHECK_OK(fnet_absorbing_steps_variance(vs, N, &needed, a));
  for (i = 0; i < nt; ++i) {
    CHECK_NEAR(ts[i], td[i], 1e-10 * td[i]);
    CHECK_NEAR(vs[i], vd[i], 1e-9 * vd[i]);
  }
  /* Explicit absorbing flags give the same result. */
  fnet_absorbing_destroy(a);
  a = NULL;
  CHECK_OK(fnet_absorbing_analyze_csr(&a, N, off, col, val, 1e-9, flags));
  CHECK_OK(fnet_absorbing_expected_steps(ts, N, &needed, a));
  CHECK_NEAR(ts[0], td[0], 1e-10 * td[0]);
  /* N is dense: not computed from CSR. */
  CHECK_STATUS(fnet_absorbing_fundamental(f, N * N, &needed, a), FNET_E_INVALID_ARGUMENT,
               "fnet_absorbing_analyze_csr");
  fnet_absorbing_destroy(a);
  a = NULL;
  {
    /* Bad input: typed status, a message naming the row / column, nothing allocated. */
    int32_t c2[N * N];
    double v2[N * N];
    int64_t o2[N + 1];
    memcpy(c2, col, nnz * sizeof *col);
    c2[off[3] + 1] = c2[off[3]]; /* row 3: a repeated column */
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, c2, val, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "row 3: columns must be strictly increasing");
    CHECK(a == NULL);
    memcpy(c2, col, nnz * sizeof *col);
    c2[off[5]] = N; /* out of range */
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, c2, val, 0, NULL), FNET_E_OUT_OF_RANGE,
                 "row 5: column 40 is outside 0..39");
    c2[off[5]] = -1;
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, c2, val, 0, NULL), FNET_E_OUT_OF_RANGE, "column -1");
    memcpy(v2, val, nnz * sizeof *val);
    v2[off[2]] = -0.25;
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, col, v2, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "got -0.25");
    v2[off[2]] = 1.5;
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, col, v2, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "in [0, 1], got 1.5");
    memcpy(v2, val, nnz * sizeof *val);
    v2[off[7]] *= 0.5; /* row 7 no longer sums to 1 */
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, col, v2, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "row 7: probabilities sum to");
    memcpy(o2, off, sizeof off);
    o2[N - 1] = o2[N - 2] - 1; /* row lengths that do not add up */
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, o2, col, val, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "CSR offsets decrease at row 38");
    memcpy(o2, off, sizeof off);
    o2[0] = 1;
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, o2, col, val, 0, NULL), FNET_E_INVALID_ARGUMENT,
                 "offsets[0] must be 0");
    o2[0] = 0;
    o2[N] = -3;
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, o2, col, val, 0, NULL), FNET_E_SHAPE_MISMATCH, "negative");
    flags[4] = 1; /* declared absorbing, but P[4][4] = 0 */
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, off, col, val, 0, flags), FNET_E_INVALID_ARGUMENT,
                 "row 4 is absorbing but P[4][4] = 0");
    flags[4] = 0;
    CHECK_STATUS(fnet_absorbing_analyze_csr(NULL, N, off, col, val, 0, NULL), FNET_E_NULL_ARGUMENT, "out");
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, N, NULL, col, val, 0, NULL), FNET_E_NULL_ARGUMENT, "offsets");
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, 0, off, col, val, 0, NULL), FNET_E_EMPTY_INPUT, "no states");
    CHECK(a == NULL);
  }
  {
    /* Two states that only move between each other, and won. */
    const int64_t lo[4] = {0, 1, 2, 3};
    const int32_t lc[3] = {1, 0, 2};
    const double lv[3] = {1, 1, 1};
    CHECK_STATUS(fnet_absorbing_analyze_csr(&a, 3, lo, lc, lv, 0, NULL), FNET_E_NOT_ABSORBING,
                 "row 0, row 1");
    CHECK(a == NULL);
  }
  fnet_absorbing_destroy(d);
  fnet_chain_destroy(c);
  fnet_stages_destroy(st);
}

static void test_fit_sequence(void) {
  /* a b a a a a b a b a b a a b b b a: MLE [[4/9,5/9],[5/7,2/7]], LL -10.37054131 */
  const char* seq =
      "abaaaababab"
      "aabbba";
  const char* names[] = {"a", "b"};
  const unsigned char absorbing[] = {0, 0};
  int32_t ids[17];
  int64_t offsets[2] = {0, 17};
  fnet_stages* s = NULL;
  fnet_counts* counts = NULL;
  fnet_chain* chain = NULL;
  fnet_fit_options opt = FNET_FIT_OPTIONS_INIT;
  double p[4], ll = 0;
  size_t needed = 0;
  int i;
  for (i = 0; i < 17; ++i) ids[i] = seq[i] == 'a' ? 0 : 1;
  CHECK_OK(fnet_stages_create(&s, 2, names, absorbing));
  CHECK_OK(fnet_counts_from_paths(&counts, s, 1, offsets, ids, NULL, FNET_REPEATS_KEEP));
  CHECK_OK(fnet_chain_fit(&chain, counts, NULL));
  CHECK_OK(fnet_chain_matrix(p, 4, &needed, chain));
  CHECK_NEAR(p[0], 4.0 / 9, 1e-15);
  CHECK_NEAR(p[2], 5.0 / 7, 1e-15);
  CHECK_OK(fnet_chain_log_likelihood(&ll, chain, counts));
  CHECK_NEAR(ll, -10.37054131, 1e-8);
  fnet_chain_destroy(chain);
  opt.smoothing = 0.5;
  CHECK_OK(fnet_chain_fit(&chain, counts, &opt));
  CHECK_OK(fnet_chain_matrix(p, 4, &needed, chain));
  CHECK_NEAR(p[0], .45, 1e-15);
  CHECK_NEAR(p[2], .6875, 1e-15);
  fnet_chain_destroy(chain);
  /* Wrong options version is rejected. */
  opt.version = 99;
  chain = NULL;
  CHECK_STATUS(fnet_chain_fit(&chain, counts, &opt), FNET_E_INVALID_ARGUMENT, "version");
  CHECK(chain == NULL);
  fnet_counts_destroy(counts);
  fnet_stages_destroy(s);
}

static void test_events_and_merge(void) {
  const char* names[] = {"potential", "possible", "won", "lost"};
  const unsigned char absorbing[] = {0, 0, 1, 1};
  /* Lead 7: potential(0) -> possible(5) -> won(9); lead 3: potential(1) -> lost(2). Unordered. */
  const int64_t lead[] = {7, 3, 7, 3, 7};
  const int64_t time[] = {9, 2, 0, 1, 5};
  const int32_t stage[] = {2, 3, 0, 0, 1};
  const double time_f[] = {9, 2, 0, 1, 5};
  fnet_stages* s = NULL;
  fnet_counts *a = NULL, *b = NULL, *m = NULL;
  double c[16];
  size_t needed = 0;
  CHECK_OK(fnet_stages_create(&s, 4, names, absorbing));
  CHECK_OK(fnet_counts_from_events(&a, s, 5, lead, time, stage, FNET_REPEATS_COLLAPSE));
  CHECK_OK(fnet_counts_from_events_f64(&b, s, 5, lead, time_f, stage, FNET_REPEATS_COLLAPSE));
  CHECK_OK(fnet_counts_merge(&m, a, b));
  CHECK_OK(fnet_counts_matrix(c, 16, &needed, m));
  CHECK(c[0 * 4 + 1] == 2 && c[1 * 4 + 2] == 2 && c[0 * 4 + 3] == 2);
  CHECK(c[0] + c[1] + c[2] + c[3] + c[4 + 2] == 6);
  fnet_counts_destroy(a);
  fnet_counts_destroy(b);
  fnet_counts_destroy(m);
  fnet_stages_destroy(s);
}

static void test_bad_input(void) {
  const char* names[] = {"potential", "won"};
  const char* dup[] = {"won", "won"};
  const unsigned char absorbing[] = {0, 1};
  const double rows_bad[4] = {.5, .6, 0, 1};
  const double nan_p[4] = {NAN, 1, 0, 1};
  const double loop[4] = {1, 0, 0, 1}; /* 'potential' never reaches 'won' */
  const int64_t lead[] = {1, 1};
  const int64_t time[] = {0, 1};
  const int32_t stage_bad[] = {0, 9};
  const int32_t leaves[] = {1, 0};
  const double neg[4] = {0, -1, 0, 0};
  fnet_stages* s = NULL;
  fnet_stages* s2 = (fnet_stages*)0;
  fnet_chain* c = NULL;
  fnet_counts* k = NULL;
  fnet_absorbing* a = NULL;
  size_t idx = 0;
  CHECK_OK(fnet_stages_create(&s, 2, names, absorbing));
  CHECK_STATUS(fnet_stages_create(&s2, 2, dup, absorbing), FNET_E_DUPLICATE_LABEL, "'won' appears twice");
  CHECK(s2 == NULL);
  CHECK_STATUS(fnet_stages_index(&idx, s, "target"), FNET_E_UNKNOWN_LABEL, "'target'");
  CHECK_STATUS(fnet_chain_create(&c, s, rows_bad, 0), FNET_E_INVALID_ARGUMENT, "row 'potential' sums to 1.1");
  CHECK_STATUS(fnet_chain_create(&c, s, nan_p, 0), FNET_E_INVALID_ARGUMENT, "P[potential][potential]");
  CHECK(c == NULL);
  CHECK_STATUS(fnet_chain_create(NULL, s, loop, 0), FNET_E_NULL_ARGUMENT, "out");
  CHECK_STATUS(fnet_chain_create(&c, NULL, loop, 0), FNET_E_NULL_ARGUMENT, "stages");
  CHECK_OK(fnet_chain_create(&c, s, loop, 0));
  CHECK_STATUS(fnet_absorbing_analyze(&a, c), FNET_E_NOT_ABSORBING, "'potential'");
  CHECK(a == NULL);
  CHECK_STATUS(fnet_counts_from_events(&k, s, 2, lead, time, stage_bad, FNET_REPEATS_COLLAPSE),
               FNET_E_OUT_OF_RANGE, "row 1");
  CHECK_STATUS(fnet_counts_from_events(&k, s, 2, lead, time, leaves, FNET_REPEATS_COLLAPSE),
               FNET_E_INVALID_ARGUMENT, "leaves absorbing stage 'won'");
  CHECK_STATUS(fnet_counts_from_events(&k, s, 2, lead, time, leaves, 7), FNET_E_INVALID_ARGUMENT, "repeats");
  CHECK_STATUS(fnet_counts_from_events(&k, s, 0, lead, time, leaves, 0), FNET_E_EMPTY_INPUT, "no rows");
  CHECK_STATUS(fnet_counts_from_matrix(&k, s, neg), FNET_E_INVALID_ARGUMENT, "count[potential][won]");
  CHECK_STATUS(fnet_counts_from_paths(&k, s, 0, NULL, NULL, NULL, 0), FNET_E_EMPTY_INPUT, "no paths");
  CHECK(k == NULL);
  CHECK_STATUS(fnet_chain_matrix(NULL, 0, NULL, c), FNET_E_NULL_ARGUMENT, "NULL");
  /* The message survives until the next call; a success clears it. */
  CHECK_OK(fnet_stages_size(&idx, s));
  CHECK(strcmp(fnet_last_error(), "") == 0);
  /* Destroying NULL does nothing. */
  fnet_chain_destroy(NULL);
  fnet_counts_destroy(NULL);
  fnet_stages_destroy(NULL);
  fnet_absorbing_destroy(NULL);
  fnet_chain_destroy(c);
  fnet_stages_destroy(s);
}

int main(void) {
  test_version();
  test_absorbing();
  test_absorbing_csr();
  test_fit_sequence();
  test_events_and_merge();
  test_bad_input();
  return check_report("funnel_abi");
}
