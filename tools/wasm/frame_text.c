/*
 * JSONL frame lines for option-flight's run logs, compiled to WebAssembly by
 * tools/wasm/build.ts (`deno task wasm`) into core/frame_text_wasm.ts. Freestanding C: no
 * libc, no allocation; the caller lays out the memory.
 *
 * Numbers are written as ECMAScript's Number::toString writes them (and so JSON.stringify):
 * the fewest significant digits that read back as the same double, the closest such decimal
 * to it, ties to even, in the same notation. For a double v = c * 2^q (q < 0) the decimals
 * that read back as v form an interval around it. Scaled by 10^m, with m the smallest power
 * that makes the interval at least 1 wide, it is under 10 wide: so it holds at least one
 * integer and at most one multiple of 10. That multiple of 10, when there is one, is the
 * shortest answer; otherwise the answer is the integer in the interval closest to v. Every
 * quantity is an exact 128-bit integer (v, and each bound, times 2^s), so every comparison is
 * exact; this covers 2^-47 <= |v| < 2^53 with m <= 31. Anything else (integers of 2^53 and
 * above, tinier magnitudes, NaN and infinities) is left to JavaScript: `number` and `frames`
 * return 0 for it.
 */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define EXPORT(name) __attribute__((export_name(name)))

typedef struct {
  u64 hi, lo;
} u128;

/* 5^m, m < 32; 10^i. */
static u128 P5[32];
static u64 POW10[20];

/* Fills the tables: call once before anything else. */
EXPORT("init") void init(void) {
  u128 p = {0, 1};
  for (int m = 0; m < 32; m++) {
    P5[m] = p;
    /* 5p = 4p + p, carrying out of the low word. */
    u64 four = p.lo << 2, sum = four + p.lo;
    p.hi = (p.hi << 2) + p.hi + (p.lo >> 62) + (sum < four ? 1 : 0);
    p.lo = sum;
  }
  u64 ten = 1;
  for (int i = 0; i < 20; i++) {
    POW10[i] = ten;
    ten *= 10;
  }
}

/* The high 64 bits of a * b, with the low 64 in `lo`. */
static inline u64 mul_hi(u64 a, u64 b, u64 *lo) {
  u64 a0 = (u32)a, a1 = a >> 32, b0 = (u32)b, b1 = b >> 32;
  u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  u64 mid = (p00 >> 32) + (u32)p01 + (u32)p10;
  *lo = (mid << 32) | (u32)p00;
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* a * b, for a product below 2^128. */
static inline u128 mul(u64 a, u128 b) {
  u128 r;
  r.hi = mul_hi(a, b.lo, &r.lo) + a * b.hi;
  return r;
}

/* n * 2^s, for a result below 2^128 and 0 < s < 128 (s >= 2 wherever it is called). */
static inline u128 shl(u64 n, u32 s) {
  u128 r;
  if (s < 64) {
    r.hi = n >> (64 - s);
    r.lo = n << s;
  } else {
    r.hi = n << (s - 64);
    r.lo = 0;
  }
  return r;
}

/* floor(x / 2^s), for a quotient below 2^64 and 0 < s < 128. */
static inline u64 shr(u128 x, u32 s) {
  if (s < 64) return (x.lo >> s) | (x.hi << (64 - s));
  return x.hi >> (s - 64);
}

static inline int lt(u128 a, u128 b) { return (a.hi < b.hi) | ((a.hi == b.hi) & (a.lo < b.lo)); }
static inline int eq(u128 a, u128 b) { return (a.hi == b.hi) & (a.lo == b.lo); }

/* n / 10, for any n. */
static inline u64 div10(u64 n) {
  u64 lo;
  return mul_hi(n, 0xCCCCCCCCCCCCCCCDULL, &lo) >> 3;
}

/* Writes x < 10^8 as 8 digits, all at once: x as two 4-digit halves in 32-bit lanes, each half
 * as two 2-digit pairs in 16-bit lanes, each pair as two digits in bytes, the first digit in the
 * lowest byte; each split is a multiplication that no lane carries out of. */
static inline void write8(u8 *p, u32 x) {
  u64 hi = ((u64)x * 109951163) >> 40; /* x / 10^4 for x < 10^8 */
  u64 halves = hi | ((x - hi * 10000) << 32);
  u64 tops = ((halves * 10486) >> 20) & 0x0000007F0000007FULL; /* each lane / 100 */
  u64 pairs = tops | ((halves - tops * 100) << 16);
  u64 tens = ((pairs * 103) >> 10) & 0x000F000F000F000FULL; /* each lane / 10 */
  u64 digits = (tens | ((pairs - tens * 10) << 8)) + 0x3030303030303030ULL;
  __builtin_memcpy(p, &digits, 8);
}

/* n / 10^8, with n % 10^8 in `low`, by a multiplication. */
static inline u64 split8(u64 n, u32 *low) {
  u64 lo;
  u64 hi = mul_hi(n, 0xABCC77118461CEFDULL, &lo) >> 26;
  *low = (u32)(n - hi * 100000000);
  return hi;
}

/* The number of decimal digits of n >= 1. */
static inline int ndigits(u64 n) {
  int t = ((64 - __builtin_clzll(n)) * 1233) >> 12;
  return t + (n >= POW10[t]);
}

/* Writes n < 10^17 as 17 digits ending at p + 24 (leading zeros included); p[0] to p[6] are
 * left as they are. Every integer written here is below 10^17: a shortest round trip has at
 * most 17 digits, and step indices and exponents are far smaller. */
static inline void write17(u8 *p, u64 n) {
  u32 low;
  u64 hi = split8(n, &low);
  u32 top = (u32)((hi * 1441151881) >> 57); /* hi / 10^8 for hi < 10^9 */
  p[7] = (u8)('0' + top);
  write8(p + 8, (u32)hi - top * 100000000);
  write8(p + 16, low);
}

/* Copies n <= 24 bytes; reads and writes 24, past n, for later writes to cover: `from` needs 24
 * readable bytes. */
static inline u8 *copy24(u8 *out, const u8 *from, int n) {
  u64 w0, w1, w2;
  __builtin_memcpy(&w0, from, 8);
  __builtin_memcpy(&w1, from + 8, 8);
  __builtin_memcpy(&w2, from + 16, 8);
  __builtin_memcpy(out, &w0, 8);
  __builtin_memcpy(out + 8, &w1, 8);
  __builtin_memcpy(out + 16, &w2, 8);
  return out + n;
}

/* Copies n bytes, 8 at a time: may read and write up to 7 bytes past them. */
static inline u8 *copy(u8 *out, const u8 *from, int n) {
  for (int i = 0; i < n; i += 8) {
    u64 w;
    __builtin_memcpy(&w, from + i, 8);
    __builtin_memcpy(out + i, &w, 8);
  }
  return out + n;
}

/*
 * Writes v as ECMAScript's Number::toString writes it (the shortest digits that read back as
 * v, the closest of those, ties to even) and returns the end; returns 0 for what it leaves to
 * JavaScript: NaN, infinities, integers of 2^53 and above, and magnitudes below 2^-47.
 */
static u8 *number(double v, u8 *out) {
  u64 bits;
  __builtin_memcpy(&bits, &v, 8);
  if ((bits << 1) == 0) {
    *out = '0';
    return out + 1;
  }
  u8 *p = out;
  if (bits >> 63) *p++ = '-';
  int e2 = (int)((bits >> 52) & 0x7FF);
  u64 f = bits & ((1ULL << 52) - 1);
  if (e2 == 0 || e2 == 0x7FF) return 0;
  u64 c = f | (1ULL << 52);
  int q = e2 - 1075;
  u8 tmp[48]; /* digits end at tmp + 24; copy24 may read the rest */
  if (q >= 0 || (q >= -52 && (c & ((1ULL << -q) - 1)) == 0)) {
    if (q > 0) return 0;
    u64 n = c >> -q;
    write17(tmp, n);
    int k = ndigits(n);
    return copy24(p, tmp + 24 - k, k);
  }
  if (q < -99) return 0;
  int irregular = f == 0 && e2 > 1;
  /* The decimals that read back as v lie in an interval 4 * 5^m / 2^s units of 10^-m wide
   * (3/4 of that where the spacing below v is half the spacing above): m is the smallest
   * power that makes it at least 1, so it is below 10 and holds at most one multiple of 10. */
  int m = (((-q) * 315653) >> 20) + 1;
  u32 s = (u32)(2 - q - m);
  if (irregular && lt(mul(3, P5[m]), shl(1, s))) {
    m++;
    s--;
  }
  u128 P = P5[m];
  /* v, its upper and its lower bound, times 2^s, in units of 10^-m. */
  u128 vn = mul(c << 2, P);
  u128 rn = vn, ln = vn;
  u64 twice = P.lo << 1, down = irregular ? P.lo : twice;
  u64 upHi = (P.hi << 1) | (P.lo >> 63), downHi = irregular ? P.hi : upHi;
  rn.lo += twice;
  rn.hi += upHi + (rn.lo < twice);
  ln.hi -= downHi + (ln.lo < down);
  ln.lo -= down;
  /* Neither bound is an integer in these units: each is an odd number times 5^m over 2^(s - 1)
   * (the lower one over 2^s for irregular spacing), and s >= 2 for every double that is not an
   * integer. So no decimal lies exactly on a bound, and every comparison below is strict.
   * The multiple of 10 closest below the upper bound is the answer when it is inside. */
  u64 r10 = div10(shr(rn, s));
  int take10 = lt(ln, shl(r10 * 10, s));
  /* Otherwise the closer of floor(v) and floor(v) + 1, ties to even. */
  u64 fl = shr(vn, s);
  u128 fls = shl(fl, s);
  u128 rem;
  rem.lo = vn.lo - fls.lo;
  rem.hi = vn.hi - fls.hi - (vn.lo < fls.lo);
  u128 half = shl(1, s - 1);
  /* Both are inside when the closer is chosen: the upper bound is at least half a unit above
   * v, and so is the lower bound below it, but for powers of two, where it is a third. Of the
   * 47 powers of two covered, the three with floor(v) below the bound all have v at least half
   * a unit above floor(v) (tests/frame_text_test.ts checks every one). */
  int up = lt(half, rem) | (eq(rem, half) & (int)(fl & 1));
  u64 n = take10 ? r10 : fl + up;
  m -= take10;
  for (u64 d = div10(n); d * 10 == n; d = div10(n)) {
    n = d;
    m--;
  }
  write17(tmp, n);
  int k = ndigits(n);
  const u8 *d = tmp + 24 - k;
  int point = k - m;
  if (point >= k && point <= 21) {
    p = copy24(p, d, k);
    for (int i = k; i < point; i++) *p++ = '0';
  } else if (point > 0 && point <= 21) {
    copy24(p, d, point);
    p[point] = '.';
    p = copy24(p + point + 1, d + point, k - point);
  } else if (point > -6 && point <= 0) {
    *p++ = '0';
    *p++ = '.';
    for (int i = point; i < 0; i++) *p++ = '0';
    p = copy24(p, d, k);
  } else {
    *p++ = d[0];
    if (k > 1) {
      *p++ = '.';
      p = copy24(p, d + 1, k - 1);
    }
    *p++ = 'e';
    int x = point - 1;
    *p++ = x < 0 ? '-' : '+';
    u64 ax = (u64)(x < 0 ? -x : x);
    write17(tmp, ax);
    int xk = ndigits(ax);
    p = copy24(p, tmp + 24 - xk, xk);
  }
  return p;
}

/* Writes v at `at` and returns its length in bytes, or 0 for a value left to JavaScript. */
EXPORT("number") u32 number_at(double v, u32 at) {
  u8 *end = number(v, (u8 *)at);
  return end ? (u32)end - at : 0;
}

/*
 * Writes `count` frames as JSONL lines at `out` and returns the end, or 0 when a value is
 * one to leave to JavaScript, or a regime or flag mask is out of range. `columns` holds spot,
 * iv, hv, x, y, z, `count` doubles each; `regime` and `flags` a byte per frame; `pieces` 19
 * (offset, length) pairs of the text between the values: 7 keys, then the text after z for
 * each regime, then the text after that for each flag mask. Like every writer here it may
 * write up to 24 bytes past the end it returns, for later writes to cover: the caller leaves
 * that much room.
 */
EXPORT("frames")
u32 frames(u32 count, double first, u32 columns, u32 regime, u32 flags, u32 pieces, u32 out) {
  const double *col = (const double *)columns;
  const u8 *reg = (const u8 *)regime, *flg = (const u8 *)flags;
  const u32 *piece = (const u32 *)pieces;
  u8 *p = (u8 *)out;
  u8 tmp[48]; /* digits end at tmp + 24; copy24 may read the rest */
  u64 stamp = (u64)first;
  double lastHv = 0;
  u8 hvText[64]; /* number() may write 24 bytes past its text, and copy() read 7 */
  int hvLength = 0;
  for (u32 i = 0; i < count; i++) {
    p = copy(p, (const u8 *)piece[0], (int)piece[1]);
    u64 t = stamp + i;
    write17(tmp, t);
    int k = t == 0 ? 1 : ndigits(t);
    p = copy24(p, tmp + 24 - k, k);
    for (int j = 0; j < 6; j++) {
      p = copy(p, (const u8 *)piece[2 * j + 2], (int)piece[2 * j + 3]);
      double v = col[j * count + i];
      if (j == 2) {
        if (hvLength == 0 || v != lastHv) {
          u8 *end = number(v, hvText);
          if (!end) return 0;
          hvLength = (int)(end - hvText);
          lastHv = v;
        }
        p = copy(p, hvText, hvLength);
      } else {
        p = number(v, p);
        if (!p) return 0;
      }
    }
    u32 r = reg[i], f = flg[i];
    if (r > 3 || f > 7) return 0;
    p = copy(p, (const u8 *)piece[14 + 2 * r], (int)piece[15 + 2 * r]);
    p = copy(p, (const u8 *)piece[22 + 2 * f], (int)piece[23 + 2 * f]);
  }
  return (u32)p;
}

