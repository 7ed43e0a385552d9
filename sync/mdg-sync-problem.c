/* mdg-sync-problem.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "mdg-sync-problem.h"

typedef struct
{
  const char *code;
  guint       status;
  const char *title;
  const char *title_ja;
} ProblemInfo;

static const ProblemInfo problems[] = {
  [MDG_SYNC_PROBLEM_BAD_REQUEST] = { "bad-request", 400,
    "The request is malformed.", "リクエストの形式が正しくありません。" },
  [MDG_SYNC_PROBLEM_UNAUTHORIZED] = { "unauthorized", 401,
    "Log in first.", "ログインが必要です。" },
  [MDG_SYNC_PROBLEM_TOKEN_EXPIRED] = { "token-expired", 401,
    "The login has expired. Log in again.", "ログインの有効期限が切れました。再度ログインしてください。" },
  [MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN] = { "challenge-unknown", 401,
    "The login challenge is unknown.", "このログイン用チャレンジは発行されていません。" },
  [MDG_SYNC_PROBLEM_CHALLENGE_USED] = { "challenge-used", 401,
    "The login challenge was already used.", "このログイン用チャレンジは使用済みです。" },
  [MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED] = { "challenge-expired", 401,
    "The login challenge has expired.", "ログイン用チャレンジの有効期限が切れました。" },
  [MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID] = { "login-signature-invalid", 401,
    "The login signature does not verify.", "ログインの署名を検証できませんでした。" },
  [MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_UNTRUSTED] = { "login-certificate-untrusted", 401,
    "The user authentication certificate is not trusted.", "利用者証明用電子証明書を信頼できません。" },
  [MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_EXPIRED] = { "login-certificate-expired", 401,
    "The user authentication certificate is not valid now.", "利用者証明用電子証明書の有効期間外です。" },
  [MDG_SYNC_PROBLEM_LOGIN_TEST_ROOT] = { "test-root", 401,
    "A test certificate was used with a production server.", "本番環境でテスト用の証明書が使われました。" },
  [MDG_SYNC_PROBLEM_PERSON_UNKNOWN] = { "person-unknown", 403,
    "This card is not registered with the municipality.", "このカードは自治体に登録されていません。" },
  [MDG_SYNC_PROBLEM_NOT_FOUND] = { "not-found", 404,
    "Not found.", "見つかりません。" },
  [MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT] = { "submission-conflict", 409,
    "This submission ID is already used for another envelope.", "この申請IDは別の申請データに使われています。" },
  [MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE] = { "payload-too-large", 413,
    "The envelope is too large.", "申請データが大きすぎます。" },
  [MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE] = { "unsupported-media-type", 415,
    "The upload must be an envelope (application/zip).", "申請データ (application/zip) を送信してください。" },
  [MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED] = { "envelope-malformed", 422,
    "The envelope is not well formed.", "申請データの形式が正しくありません。" },
  [MDG_SYNC_PROBLEM_ENVELOPE_SIGNATURE_INVALID] = { "envelope-signature-invalid", 422,
    "The application's signature does not verify.", "申請の電子署名を検証できませんでした。" },
  [MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_UNTRUSTED] = { "envelope-certificate-untrusted", 422,
    "The signature certificate is not trusted.", "署名用電子証明書を信頼できません。" },
  [MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_EXPIRED] = { "envelope-certificate-expired", 422,
    "The signature certificate was not valid.", "署名用電子証明書が有効期間外です。" },
  [MDG_SYNC_PROBLEM_ENVELOPE_WRONG_KEY] = { "envelope-wrong-key", 422,
    "The application was signed with the wrong key.", "申請が署名用以外の鍵で署名されています。" },
  [MDG_SYNC_PROBLEM_ENVELOPE_TEST_ROOT] = { "test-root", 422,
    "A test certificate was used with a production server.", "本番環境でテスト用の証明書が使われました。" },
  [MDG_SYNC_PROBLEM_INTERNAL] = { "internal", 500,
    "The server failed. Try again later.", "サーバーでエラーが発生しました。しばらくしてから再度お試しください。" },
  [MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH] = { "upload-offset-mismatch", 409,
    "The upload continues at another offset.", "アップロードの再開位置が異なります。" },
  [MDG_SYNC_PROBLEM_UPLOAD_HASH_MISMATCH] = { "upload-hash-mismatch", 422,
    "The uploaded bytes do not match their SHA-256; the upload was discarded.",
    "アップロードされたデータのSHA-256が一致しないため、破棄しました。" },
  [MDG_SYNC_PROBLEM_UPLOAD_INCOMPLETE] = { "upload-incomplete", 409,
    "The upload is not complete yet.", "アップロードがまだ完了していません。" },
  [MDG_SYNC_PROBLEM_LENGTH_REQUIRED] = { "length-required", 411,
    "The request must state its Content-Length.", "Content-Length を指定してください。" },
  [MDG_SYNC_PROBLEM_FORBIDDEN] = { "forbidden", 403,
    "This login may not use this resource.", "このログインではこの操作はできません。" },
  [MDG_SYNC_PROBLEM_STAFF_UNKNOWN] = { "staff-unknown", 403,
    "This card belongs to no staff account.", "このカードは職員アカウントに登録されていません。" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (problems) == MDG_SYNC_PROBLEM_LAST + 1);

static const ProblemInfo *
info (MdgSyncProblem problem)
{
  if ((guint) problem >= G_N_ELEMENTS (problems))
    problem = MDG_SYNC_PROBLEM_INTERNAL;
  return &problems[problem];
}

const char *
mdg_sync_problem_get_code (MdgSyncProblem problem)
{
  return info (problem)->code;
}

guint
mdg_sync_problem_get_status (MdgSyncProblem problem)
{
  return info (problem)->status;
}

const char *
mdg_sync_problem_get_title (MdgSyncProblem problem)
{
  return info (problem)->title;
}

const char *
mdg_sync_problem_get_title_ja (MdgSyncProblem problem)
{
  return info (problem)->title_ja;
}

gboolean
mdg_sync_problem_from_code (const char *code,
                            MdgSyncProblem *problem)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (problems); i++)
    if (g_str_equal (problems[i].code, code))
      {
        *problem = (MdgSyncProblem) i;
        return TRUE;
      }
  return FALSE;
}

GBytes *
mdg_sync_problem_to_json (MdgSyncProblem problem,
                          const char *detail)
{
  const ProblemInfo *p = info (problem);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *type = g_strconcat ("https://madoguchi.github.io/problems/", p->code, NULL);
  char *text;
  gsize len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, p->status);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, p->code);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, p->title);
  json_builder_set_member_name (b, "title_ja");
  json_builder_add_string_value (b, p->title_ja);
  if (detail != NULL)
    {
      json_builder_set_member_name (b, "detail");
      json_builder_add_string_value (b, detail);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}
