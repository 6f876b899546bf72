/* Attribution through the C ABI: the issue's worked cases (removal effects 0.5, 1, 1 and
 * attribution 0.2, 0.4, 0.4; A 1 / B 0.5 with attribution 2 / 1), hand-worked heuristics,
 * event-log journeys, the two-call pattern and every bad input.  C99. */
#include "check.h"
#include "funnelnet.h"

static int cancel_at_once(void* user_data, uint64_t done, uint64_t total) {
  (void)done;
  (void)total;
  ++*(int*)user_data;
  return 1;
}

static void issue_case_with_nulls(void) {
  /* c1>c2>c3 (1 conversion), c1 (1 null), c2>c3 (1 null). */
  const char* names[] = {"c1", "c2", "c3"};
  const int64_t offsets[] = {0, 3, 4, 6};
  const int32_t ids[] = {0, 1, 2, 0, 1, 2};
  const double conv[] = {1, 0, 0}, nulls[] = {0, 1, 1};
  fnet_paths* paths = NULL;
  fnet_markov* m = NULL;
  double re[3], at[3], p = 0, ev = -1, shares[6];
  size_t needed = 0, n_paths = 0, n_touches = 0, n_channels = 0;
  CHECK_OK(fnet_paths_create(&paths, 3, names, 3, offsets, ids, conv, nulls, NULL, NULL));
  CHECK_OK(fnet_paths_sizes(&n_paths, &n_touches, &n_channels, paths));
  CHECK(n_paths == 3 && n_touches == 6 && n_channels == 3);
  CHECK_OK(fnet_attribution_markov_fit(&m, paths, NULL));
  CHECK_OK(fnet_attribution_markov_removal_effects(NULL, 0, &needed, m));
  CHECK(needed == 3);
  CHECK_STATUS(fnet_attribution_markov_removal_effects(re, 2, &needed, m), FNET_E_BUFFER_TOO_SMALL,
               "3 needed");
  CHECK_OK(fnet_attribution_markov_removal_effects(re, 3, &needed, m));
  CHECK_OK(fnet_attribution_markov_attributed_conversions(at, 3, &needed, m));
  CHECK_NEAR(re[0], 0.5, 1e-12);
  CHECK_NEAR(re[1], 1.0, 1e-12);
  CHECK_NEAR(re[2], 1.0, 1e-12);
  CHECK_NEAR(at[0], 0.2, 1e-12);
  CHECK_NEAR(at[1], 0.4, 1e-12);
  CHECK_NEAR(at[2], 0.4, 1e-12);
  CHECK_OK(fnet_attribution_markov_conversion_probability(&p, &ev, m));
  CHECK_NEAR(p, 1.0 / 3.0, 1e-12); /* closed form: conversions / journeys */
  CHECK_NEAR(ev, 0.0, 1e-15);
  /* Per journey: path 0 splits 0.5 : 1 : 1 (0.2, 0.4, 0.4); each path's shares sum to 1. */
  CHECK_OK(fnet_attribution_markov_journey_shares(shares, 6, &needed, m, paths));
  CHECK(needed == 6);
  CHECK_NEAR(shares[0], 0.2, 1e-12);
  CHECK_NEAR(shares[1], 0.4, 1e-12);
  CHECK_NEAR(shares[3], 1.0, 1e-12);
  CHECK_NEAR(shares[4] + shares[5], 1.0, 1e-12);
  {
    double est[3], lo[3], hi[3];
    int c;
    CHECK_OK(fnet_attribution_markov_simulate(est, lo, hi, 3, &needed, m, 100000, 11, 2));
    for (c = 0; c < 3; ++c) CHECK(lo[c] <= re[c] + 1e-9 && re[c] - 1e-9 <= hi[c] + 0.02);
    CHECK_NEAR(est[0], 0.5, 0.03);
  }
  fnet_attribution_markov_destroy(m);
  fnet_paths_destroy(paths);
}

static void issue_case_repeats_and_sequences(void) {
  /* A>B>A>B>B>A, A>B>B>A>A, A>A: one conversion each. */
  const char* names[] = {"A", "B"};
  const int64_t offsets[] = {0, 6, 11, 13};
  const int32_t ids[] = {0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
  const double conv[] = {1, 1, 1};
  fnet_paths* paths = NULL;
  fnet_markov* m = NULL;
  fnet_markov_options o = FNET_MARKOV_OPTIONS_INIT;
  double re[2], at[2], sre[2], svre[2];
  size_t needed = 0;
  int calls = 0;
  const int64_t soff[] = {0, 2, 3};
  const int32_t seq[] = {0, 1, 1};
  CHECK_OK(fnet_paths_create(&paths, 2, names, 3, offsets, ids, conv, NULL, NULL, ">"));
  CHECK_OK(fnet_attribution_markov_fit(&m, paths, &o));
  CHECK_OK(fnet_attribution_markov_removal_effects(re, 2, &needed, m));
  CHECK_OK(fnet_attribution_markov_attributed_conversions(at, 2, &needed, m));
  CHECK_NEAR(re[0], 1.0, 1e-12);
  CHECK_NEAR(re[1], 0.5, 1e-12);
  CHECK_NEAR(at[0], 2.0, 1e-12);
  CHECK_NEAR(at[1], 1.0, 1e-12);
  /* Order 1 cannot remove a two-channel sequence. */
  CHECK_STATUS(fnet_attribution_markov_sequence_removal_effects(sre, svre, 2, &needed, m, 2, soff, seq),
               FNET_E_INVALID_ARGUMENT, "at most 1");
  fnet_attribution_markov_destroy(m);
  m = NULL;
  /* Order 2: removing "A>B" loses every journey (each passes A then B, or is A>A);
   * collapsed paths are A>B>A>B>A, A>B>A, A.  P = 1; without A>B only "A" converts: 1/3. */
  o.order = 2;
  CHECK_OK(fnet_attribution_markov_fit(&m, paths, &o));
  CHECK_OK(fnet_attribution_markov_sequence_removal_effects(sre, svre, 2, &needed, m, 2, soff, seq));
  CHECK(needed == 2);
  CHECK_NEAR(sre[0], 2.0 / 3.0, 1e-12);
  CHECK_NEAR(sre[1], 2.0 / 3.0, 1e-12); /* removing B alone also loses the same two journeys */
  fnet_attribution_markov_destroy(m);
  m = NULL;
  o.order = 1;
  o.progress = cancel_at_once;
  o.user_data = &calls;
  CHECK_STATUS(fnet_attribution_markov_fit(&m, paths, &o), FNET_E_CANCELLED, "cancelled");
  CHECK(m == NULL && calls >= 1);
  o = (fnet_markov_options)FNET_MARKOV_OPTIONS_INIT;
  o.version = 99;
  CHECK_STATUS(fnet_attribution_markov_fit(&m, paths, &o), FNET_E_INVALID_ARGUMENT, "version");
  o = (fnet_markov_options)FNET_MARKOV_OPTIONS_INIT;
  o.order = 0;
  CHECK_STATUS(fnet_attribution_markov_fit(&m, paths, &o), FNET_E_INVALID_ARGUMENT, "order must be >= 1");
  o.order = 1;
  o.repeats = 7;
  CHECK_STATUS(fnet_attribution_markov_fit(&m, paths, &o), FNET_E_INVALID_ARGUMENT, "repeats");
  fnet_paths_destroy(paths);
}

static void heuristics(void) {
  /* a>b>c with 2 conversions and value 10. */
  const char* names[] = {"a", "b", "c"};
  const int64_t offsets[] = {0, 3};
  const int32_t ids[] = {0, 1, 2};
  const double conv[] = {2}, value[] = {10};
  fnet_paths* paths = NULL;
  double c[15], v[15];
  size_t needed = 0;
  fnet_heuristic_options o = FNET_HEURISTIC_OPTIONS_INIT;
  const double w = 0.25 + 0.5 + 1.0;
  CHECK_OK(fnet_paths_create(&paths, 3, names, 1, offsets, ids, conv, NULL, value, NULL));
  CHECK_OK(fnet_attribution_heuristic(NULL, NULL, 0, &needed, paths, NULL));
  CHECK(needed == 15);
  CHECK_OK(fnet_attribution_heuristic(c, v, 15, &needed, paths, &o));
  CHECK_NEAR(c[0 * 5 + FNET_HEURISTIC_FIRST_TOUCH], 2.0, 1e-12);
  CHECK_NEAR(c[2 * 5 + FNET_HEURISTIC_LAST_TOUCH], 2.0, 1e-12);
  CHECK_NEAR(c[1 * 5 + FNET_HEURISTIC_LINEAR], 2.0 / 3.0, 1e-12);
  CHECK_NEAR(c[0 * 5 + FNET_HEURISTIC_TIME_DECAY], 2 * 0.25 / w, 1e-12);
  CHECK_NEAR(c[1 * 5 + FNET_HEURISTIC_POSITION_BASED], 0.4, 1e-12);
  CHECK_NEAR(v[2 * 5 + FNET_HEURISTIC_POSITION_BASED], 4.0, 1e-12);
  o.half_life = -1;
  CHECK_STATUS(fnet_attribution_heuristic(c, v, 15, &needed, paths, &o), FNET_E_INVALID_ARGUMENT,
               "half_life");
  o = (fnet_heuristic_options)FNET_HEURISTIC_OPTIONS_INIT;
  o.use_ages = 1;
  CHECK_STATUS(fnet_attribution_heuristic(c, v, 15, &needed, paths, &o), FNET_E_INVALID_ARGUMENT,
               "event log");
  o = (fnet_heuristic_options)FNET_HEURISTIC_OPTIONS_INIT;
  o.version = 0;
  CHECK_STATUS(fnet_attribution_heuristic(c, v, 15, &needed, paths, &o), FNET_E_INVALID_ARGUMENT, "version");
  CHECK_STATUS(fnet_attribution_heuristic(c, v, 14, &needed, paths, NULL), FNET_E_BUFFER_TOO_SMALL,
               "15 needed");
  fnet_paths_destroy(paths);
}

static void events(void) {
  /* Customer 7: a(1) b(3) c converts (5, value 9) then d (8); customer 2: a (4). */
  const char* names[] = {"a", "b", "c", "d"};
  const int64_t cust[] = {7, 7, 2, 7, 7}, t[] = {3, 1, 4, 5, 8};
  const int32_t ch[] = {1, 0, 0, 2, 3};
  const unsigned char conv[] = {0, 0, 0, 1, 0};
  const double val[] = {0, 0, 0, 9, 0};
  const unsigned char bad_conv[] = {0, 0, 2, 1, 0};
  const double stray[] = {0, 5, 0, 9, 0};
  fnet_paths* paths = NULL;
  int64_t off[4];
  int32_t ids[5];
  double c[3], nl[3], v[3], age[5], h[20];
  size_t needed = 0;
  fnet_heuristic_options o = FNET_HEURISTIC_OPTIONS_INIT;
  CHECK_OK(fnet_paths_from_events(&paths, 4, names, 5, cust, t, ch, conv, val));
  CHECK_OK(fnet_paths_offsets(off, 4, &needed, paths));
  CHECK(needed == 4 && off[1] == 1 && off[2] == 4 && off[3] == 5);
  CHECK_OK(fnet_paths_channel_ids(ids, 5, &needed, paths));
  CHECK(ids[0] == 0 && ids[1] == 0 && ids[2] == 1 && ids[3] == 2 && ids[4] == 3);
  CHECK_OK(fnet_paths_conversions(c, 3, &needed, paths));
  CHECK_OK(fnet_paths_nulls(nl, 3, &needed, paths));
  CHECK_OK(fnet_paths_values(v, 3, &needed, paths));
  CHECK(c[1] == 1 && nl[0] == 1 && nl[2] == 1 && v[1] == 9);
  CHECK_OK(fnet_paths_ages(age, 5, &needed, paths));
  CHECK(age[1] == 4 && age[2] == 2 && age[3] == 0);
  /* Time decay on real ages, half-life 2: weights 2^-2, 2^-1, 1 for a, b, c. */
  o.use_ages = 1;
  o.half_life = 2;
  CHECK_OK(fnet_attribution_heuristic(h, NULL, 20, &needed, paths, &o));
  CHECK_NEAR(h[0 * 5 + FNET_HEURISTIC_TIME_DECAY], 0.25 / 1.75, 1e-12);
  fnet_paths_destroy(paths);
  paths = NULL;
  CHECK_STATUS(fnet_paths_from_events(&paths, 4, names, 5, cust, t, ch, bad_conv, val),
               FNET_E_INVALID_ARGUMENT, "row 2: converted must be 0 or 1");
  CHECK_STATUS(fnet_paths_from_events(&paths, 4, names, 5, cust, t, ch, conv, stray), FNET_E_INVALID_ARGUMENT,
               "row 1: value 5 on a row that is not a conversion");
  CHECK_STATUS(fnet_paths_from_events(&paths, 4, names, 0, NULL, NULL, NULL, NULL, NULL), FNET_E_EMPTY_INPUT,
               "no rows");
  CHECK(paths == NULL);
}

static void bad_paths(void) {
  const char* names[] = {"a", "b"};
  const char* sep_names[] = {"a>x", "b"};
  const char* empty_names[] = {"a", ""};
  const int64_t offsets[] = {0, 1, 2}, empty_path[] = {0, 1, 1};
  const int32_t ids[] = {0, 1}, out_of_range[] = {0, 5}, only_a[] = {0, 0};
  const double conv[] = {1, 1}, neg[] = {1, -1}, zero_conv[] = {1, 0}, value[] = {1, 4};
  fnet_paths* p = NULL;
  fnet_markov* m = NULL;
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 0, offsets, ids, conv, NULL, NULL, NULL), FNET_E_EMPTY_INPUT,
               "no paths");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, ids, neg, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "path 1: conversions");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, ids, conv, neg, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "path 1: nulls");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, ids, conv, NULL, neg, NULL),
               FNET_E_INVALID_ARGUMENT, "path 1: value");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, ids, zero_conv, NULL, value, NULL),
               FNET_E_INVALID_ARGUMENT, "value 4 with no conversions");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, empty_path, ids, conv, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "path 1 has 1 conversions but no touches");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, out_of_range, conv, NULL, NULL, NULL),
               FNET_E_OUT_OF_RANGE, "path 1, touch 0: channel index 5");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, only_a, conv, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "channel 'b' appears in no path");
  CHECK_STATUS(fnet_paths_create(&p, 2, sep_names, 2, offsets, ids, conv, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "contains the separator");
  CHECK_STATUS(fnet_paths_create(&p, 2, empty_names, 2, offsets, ids, conv, NULL, NULL, NULL),
               FNET_E_INVALID_ARGUMENT, "empty name");
  CHECK_STATUS(fnet_paths_create(&p, 2, names, 2, offsets, ids, NULL, NULL, NULL, NULL), FNET_E_NULL_ARGUMENT,
               "conversions");
  CHECK_STATUS(fnet_paths_create(NULL, 2, names, 2, offsets, ids, conv, NULL, NULL, NULL),
               FNET_E_NULL_ARGUMENT, "out");
  CHECK(p == NULL);
  CHECK_STATUS(fnet_attribution_markov_fit(&m, NULL, NULL), FNET_E_NULL_ARGUMENT, "paths");
  CHECK_STATUS(fnet_attribution_markov_removal_effects(NULL, 0, NULL, NULL), FNET_E_NULL_ARGUMENT, "model");
  {
    const double none[] = {0, 0}, nulls[] = {1, 1};
    CHECK_OK(fnet_paths_create(&p, 2, names, 2, offsets, ids, none, nulls, NULL, NULL));
    CHECK_STATUS(fnet_attribution_markov_fit(&m, p, NULL), FNET_E_INVALID_ARGUMENT,
                 "no path has a conversion");
    fnet_paths_destroy(p);
  }
  fnet_paths_destroy(NULL);
  fnet_attribution_markov_destroy(NULL);
}

int main(void) {
  issue_case_with_nulls();
  issue_case_repeats_and_sequences();
  heuristics();
  events();
  bad_paths();
  return check_report("attribution_abi");
}
