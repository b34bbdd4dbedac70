/* Tests host key fingerprints (src/fingerprint.c): SHA-256 against FIPS 180-4 vectors and every
 * padding boundary, base64 against RFC 4648, and the "SHA256:..." OpenSSH prints. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"

static void hex(const unsigned char *d, char *out)
{
    for (int i = 0; i < FINGERPRINT_DIGEST_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void assert_sha256(const void *data, size_t len, const char *want)
{
    unsigned char d[FINGERPRINT_DIGEST_LEN];
    char got[2 * FINGERPRINT_DIGEST_LEN + 1];
    fingerprint_sha256(data, len, d);
    hex(d, got);
    assert_string_equal(got, want);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    assert_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_sha256(two, strlen(two),
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    assert_sha256(million, 1000000,
                  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

/* Lengths around the 56- and 64-byte padding edges (expected values from Python's hashlib). */
static void test_sha256_padding_edges(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
        {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
        {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
        {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
        {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
        {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
        {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
        {1000, "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d"},
    };
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i % 251);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_sha256(data, cases[i].len, cases[i].hex);
}

static void test_base64_rfc4648(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const padded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                         "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *const bare[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        size_t n = fingerprint_base64(in[i], strlen(in[i]), true, out, sizeof out);
        assert_string_equal(out, padded[i]);
        assert_int_equal(n, strlen(padded[i]));
        fingerprint_base64(in[i], strlen(in[i]), false, out, sizeof out);
        assert_string_equal(out, bare[i]);

        unsigned char back[16];
        long m = fingerprint_unbase64(padded[i], back, sizeof back);
        assert_int_equal(m, (long)strlen(in[i]));
        assert_memory_equal(back, in[i], strlen(in[i]));
        assert_int_equal(fingerprint_unbase64(bare[i], back, sizeof back), (long)strlen(in[i]));
    }
    char small[4];
    assert_int_equal(fingerprint_base64("foo", 3, true, small, sizeof small), 0);
    assert_string_equal(small, "");
    unsigned char back[2];
    assert_int_equal(fingerprint_unbase64("Zm9v", back, sizeof back), -1);
    assert_int_equal(fingerprint_unbase64("Zm9v!", back, sizeof back), -1);
}

static void test_openssh_fingerprint(void **state)
{
    (void)state;
    /* an ed25519 public key as it stands in known_hosts; the fingerprint from Python's
     * hashlib, the same that `ssh-keygen -lf` prints */
    char fp[64];
    assert_int_equal(
        fingerprint_of_base64_key(
            "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", fp, sizeof fp),
        0);
    assert_string_equal(fp, "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
    assert_int_equal(fingerprint_of_base64_key("not base64!", fp, sizeof fp), -1);
    assert_string_equal(fp, "");

    unsigned char zero[FINGERPRINT_DIGEST_LEN] = {0};
    fingerprint_format(zero, fp, sizeof fp);
    assert_string_equal(fp, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_padding_edges),
        cmocka_unit_test(test_base64_rfc4648),
        cmocka_unit_test(test_openssh_fingerprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
