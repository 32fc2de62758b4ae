"""The fake DeepL API, driven through the real deepl SDK (1.32.0).

These pin down both the fake and the SDK behaviour the help center relies on, so an SDK
upgrade that changes retries, error mapping or wire format shows up here first.
"""

from __future__ import annotations

import json
import os
import threading
import time

import deepl
import pytest
import requests
from deepl.api_data import MultilingualGlossaryDictionaryEntries

from fake_deepl import MAX_REQUEST_BYTES, MAX_TEXTS, FakeDeepL, fake_translate, fast_sdk, serving


@pytest.fixture
def fake_deepl(monkeypatch):
    yield from serving(monkeypatch)


@pytest.fixture
def client(fake_deepl: FakeDeepL):
    # The way production code is expected to build its client under test.
    c = deepl.DeepLClient(os.environ["DEEPL_AUTH_KEY"], server_url=os.environ["DEEPL_SERVER_URL"])
    yield c
    c.close()


def raw(fake: FakeDeepL, method: str, path: str, **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {"Authorization": f"DeepL-Auth-Key {fake.auth_key}"})
    return requests.request(method, fake.url + path, headers=headers, timeout=5, **kwargs)


# ---- translating --------------------------------------------------------------------------

def test_translate_single_text(client, fake_deepl):
    result = client.translate_text("Hello World", target_lang="DE")
    assert isinstance(result, deepl.TextResult)
    assert result.text == "[DE] hELLO wORLD"
    assert result.detected_source_lang == "EN"
    assert result.billed_characters == len("Hello World")


def test_translate_list_keeps_order_and_source_lang(client):
    results = client.translate_text(["One", "Two", "Straße"], source_lang="en", target_lang="fr")
    assert [r.text for r in results] == ["[FR] oNE", "[FR] tWO", "[FR] sTRAßE"]
    assert {r.detected_source_lang for r in results} == {"EN"}


def test_detected_source_language_without_source_lang(client):
    results = client.translate_text(["返品の手続き", "退款", "Hi"], target_lang="EN-US")
    assert [r.detected_source_lang for r in results] == ["JA", "ZH", "EN"]


def test_blank_text_comes_back_unchanged_and_empty_string_is_rejected_client_side(client):
    assert client.translate_text(["", "  "], target_lang="DE")[1].text == "  "
    with pytest.raises(ValueError):
        client.translate_text("", target_lang="DE")


def test_tag_handling_xml_keeps_tags_and_ignored_content(client):
    text = 'Click <b>Save</b> &amp; <x id="1"/> then <code>Run Now</code>.'
    result = client.translate_text(text, target_lang="DE", tag_handling="xml",
                                   ignore_tags=["code"], outline_detection=False,
                                   non_splitting_tags="b", splitting_tags=["p", "li"])
    assert result.text == '[DE] cLICK <b>sAVE</b> &amp; <x id="1"/> THEN <code>Run Now</code>.'
    assert result.text == fake_translate(text, "DE", tag_handling="xml", ignore_tags=["code"])


def test_prefix_goes_into_the_first_text_node_not_before_the_markup(client):
    result = client.translate_text("<p> <em>Hi</em> there</p>", target_lang="DE",
                                   tag_handling="xml")
    assert result.text == "<p> <em>[DE] hI</em> THERE</p>"


def test_without_tag_handling_markup_is_mangled(client):
    # Why help-center segments must always be sent with tag_handling.
    assert client.translate_text("<b>Hi</b>", target_lang="DE").text == "[DE] <B>hI</B>"


def test_html_tag_handling_knows_void_elements(client):
    result = client.translate_text("A<br>B <code>C</code>", target_lang="DE",
                                   tag_handling="html", ignore_tags="code")
    assert result.text == "[DE] a<br>b <code>C</code>"


def test_strict_xml_parsing_fails_like_v2(client):
    with pytest.raises(deepl.DeepLException, match="Tag handling parsing failed") as info:
        client.translate_text("<b>bold <i>x</b></i>", target_lang="DE", tag_handling="xml",
                              tag_handling_version="v2")
    assert info.value.http_status_code == 400
    # v1 is lenient: same input goes through.
    client.translate_text("<b>bold <i>x</b></i>", target_lang="DE", tag_handling="xml")


def test_request_carries_all_options(client, fake_deepl):
    client.translate_text(["a"], source_lang="EN", target_lang="DE", formality="prefer_less",
                          split_sentences="nonewlines", preserve_formatting=True,
                          context="A help article about refunds.", tag_handling="xml",
                          ignore_tags="x,y", non_splitting_tags=["b"],
                          model_type="quality_optimized")
    params = fake_deepl.translate_calls()[-1].params
    assert params["split_sentences"] == "nonewlines"
    assert params["preserve_formatting"] is True
    assert params["ignore_tags"] == ["x", "y"]  # the SDK splits comma lists itself
    assert params["show_billed_characters"] is True  # always sent by the SDK
    assert params["formality"] == "prefer_less"


def test_form_bodies_are_understood_too(fake_deepl):
    response = raw(fake_deepl, "POST", "/v2/translate",
                   data={"text": ["Hello", "<b>Bye</b>"], "target_lang": "de",
                         "tag_handling": "xml", "show_billed_characters": "1"})
    assert response.status_code == 200
    body = response.json()["translations"]
    assert [t["text"] for t in body] == ["[DE] hELLO", "<b>[DE] bYE</b>"]
    assert [t["billed_characters"] for t in body] == [5, 10]


def test_transform_hook_can_simulate_damage(client, fake_deepl):
    def drop_spaces_around_tags(call):
        return [t.replace(" <", "<") for t in call.default()]

    fake_deepl.transform = drop_spaces_around_tags
    result = client.translate_text("Press <b>OK</b>", target_lang="DE", tag_handling="xml")
    assert result.text == "[DE] pRESS<b>ok</b>"


# ---- billing ------------------------------------------------------------------------------

def test_billed_characters_counted_and_context_free(client, fake_deepl):
    texts = ["Refunds arrive", "within three days", "日本語"]
    results = client.translate_text(texts, target_lang="DE",
                                    context="A very long context " * 50)
    assert [r.billed_characters for r in results] == [len(t) for t in texts]
    assert fake_deepl.billed_characters == sum(len(t) for t in texts)
    call = fake_deepl.translate_calls()[-1]
    assert (call.texts, call.characters, call.billed) == (3, sum(map(len, texts)), call.characters)


def test_usage_reports_billing_and_quota(client, fake_deepl):
    client.translate_text("x" * 40, target_lang="DE")
    usage = client.get_usage()
    assert usage.character.count == 40
    assert usage.character.limit == 1_000_000_000_000
    fake_deepl.quota = 40
    assert client.get_usage().character.limit_reached
    assert client.get_usage().any_limit_reached
    # POST works as well as GET.
    assert raw(fake_deepl, "POST", "/v2/usage").json()["character_count"] == 40


def test_quota_answers_456_and_does_not_bill(client, fake_deepl):
    fake_deepl.quota = 10
    client.translate_text("12345", target_lang="DE")
    with pytest.raises(deepl.QuotaExceededException) as info:
        client.translate_text("123456", target_lang="DE")
    assert info.value.http_status_code == 456
    assert fake_deepl.billed_characters == 5
    assert len(fake_deepl.translate_calls()) == 2  # 456 is not retried


def test_reset(client, fake_deepl):
    client.translate_text("abc", target_lang="DE")
    fake_deepl.fail_next(500)
    fake_deepl.reset()
    assert fake_deepl.billed_characters == 0 and fake_deepl.requests == []
    client.translate_text("abc", target_lang="DE")  # the pending failure is gone too


# ---- failures and retries -----------------------------------------------------------------

def test_429_then_success(client, fake_deepl, monkeypatch):
    fast_sdk(monkeypatch, retries=3)
    fake_deepl.fail_next(429, times=2, retry_after=30)
    started = time.monotonic()
    result = client.translate_text("Hi", target_lang="DE")
    assert result.text == "[DE] hI"
    # Retry-After: 30 was ignored; the SDK only follows its own backoff.
    assert time.monotonic() - started < 5
    assert [c.status for c in fake_deepl.translate_calls()] == [429, 429, 200]
    assert fake_deepl.billed_characters == 2  # failed attempts are not billed


def test_429_until_retries_run_out(client, fake_deepl, monkeypatch):
    fast_sdk(monkeypatch, retries=2)
    fake_deepl.fail_next(429, times=10)
    with pytest.raises(deepl.TooManyRequestsException):
        client.translate_text("Hi", target_lang="DE")
    assert len(fake_deepl.translate_calls()) == 3  # first try + 2 retries


@pytest.mark.parametrize("status, exception", [
    (500, deepl.DeepLException),
    (503, deepl.DeepLException),
])
def test_5xx_retried_then_raised(client, fake_deepl, monkeypatch, status, exception):
    fast_sdk(monkeypatch, retries=1)
    fake_deepl.fail_next(status, times=2)
    with pytest.raises(exception) as info:
        client.translate_text("Hi", target_lang="DE")
    assert info.value.http_status_code == status
    # 503 says "retry later", 500 does not, though both were already retried.
    assert info.value.should_retry is (status == 503)
    assert len(fake_deepl.translate_calls()) == 2


def test_injected_456_raises_quota_exceeded(client, fake_deepl):
    fake_deepl.fail_next(456)
    with pytest.raises(deepl.QuotaExceededException):
        client.translate_text("Hi", target_lang="DE")


def test_fail_next_can_target_one_endpoint(client, fake_deepl):
    fake_deepl.fail_next(456, endpoint="/v2/translate")
    client.get_usage()
    with pytest.raises(deepl.QuotaExceededException):
        client.translate_text("Hi", target_lang="DE")


def test_wrong_key_is_403(fake_deepl):
    bad = deepl.DeepLClient("not-a-key:fx", server_url=fake_deepl.url)
    with pytest.raises(deepl.AuthorizationException) as info:
        bad.translate_text("Hi", target_lang="DE")
    assert info.value.http_status_code == 403
    assert fake_deepl.requests[-1].status == 403
    assert raw(fake_deepl, "GET", "/v2/usage", headers={}).status_code == 403


def test_configurable_keys():
    with FakeDeepL(auth_keys=["k1", "k2:fx"]) as fake:
        for key in ("k1", "k2:fx"):  # server_url wins over the ":fx" free-API routing
            assert fake.client(key).get_usage().character.count == 0
        with pytest.raises(deepl.AuthorizationException):
            fake.client("fake-deepl-key").get_usage()


def test_hang_next_times_out(client, fake_deepl, monkeypatch):
    fast_sdk(monkeypatch, retries=0, timeout=0.3)
    fake_deepl.hang_next(2)
    with pytest.raises(deepl.ConnectionException, match="timed out") as info:
        client.translate_text("Hi", target_lang="DE")
    assert info.value.should_retry


def test_hang_next_then_retry_succeeds(client, fake_deepl, monkeypatch):
    fast_sdk(monkeypatch, retries=1, timeout=0.3)
    fake_deepl.hang_next(1)
    assert client.translate_text("Hi", target_lang="DE").text == "[DE] hI"
    hung = fake_deepl.translate_calls()[0]
    deadline = time.monotonic() + 5
    while not hung.status and time.monotonic() < deadline:
        time.sleep(0.05)  # the hung attempt is still sleeping server-side
    # The abandoned attempt was answered (and billed) after the client left.
    assert [c.injected for c in fake_deepl.translate_calls()] == ["hang", None]
    assert fake_deepl.billed_characters == 4


# ---- limits -------------------------------------------------------------------------------

def test_fifty_texts_pass_fifty_one_do_not(client, fake_deepl):
    assert len(client.translate_text(["t"] * MAX_TEXTS, target_lang="DE")) == MAX_TEXTS
    with pytest.raises(deepl.DeepLException) as info:
        client.translate_text(["t"] * (MAX_TEXTS + 1), target_lang="DE")  # the SDK does not split
    assert info.value.http_status_code == 413
    assert not isinstance(info.value, (deepl.QuotaExceededException,
                                       deepl.TooManyRequestsException))
    assert fake_deepl.billed_characters == MAX_TEXTS


def test_128_kib_request_limit(client, fake_deepl):
    client.translate_text("a" * (MAX_REQUEST_BYTES - 1024), target_lang="DE")
    with pytest.raises(deepl.DeepLException) as info:
        client.translate_text("a" * MAX_REQUEST_BYTES, target_lang="DE")
    assert info.value.http_status_code == 413
    assert fake_deepl.translate_calls()[-1].body_bytes > MAX_REQUEST_BYTES


def test_128_kib_counts_json_bytes_not_characters(client, fake_deepl):
    # requests serialises JSON with ensure_ascii: each CJK character costs 6 bytes on the
    # wire, so 25k characters (75 KB as UTF-8) already overflow the limit.
    with pytest.raises(deepl.DeepLException) as info:
        client.translate_text("深" * 25_000, target_lang="EN-US")
    assert info.value.http_status_code == 413
    assert fake_deepl.translate_calls()[-1].body_bytes >= 6 * 25_000


# ---- language validation ------------------------------------------------------------------

@pytest.mark.parametrize("target", ["EN-GB", "EN-US", "PT-BR", "PT-PT", "ZH-HANS", "ZH-HANT",
                                    "zh-hant", "DE", "JA"])
def test_valid_targets(client, target):
    assert client.translate_text("Hi", target_lang=target).text == f"[{target.upper()}] hI"


def test_zh_without_variant_is_rejected_by_the_fake(client, fake_deepl):
    with pytest.raises(deepl.DeepLException, match="target_lang") as info:
        client.translate_text("Hi", target_lang="ZH")
    assert info.value.http_status_code == 400


@pytest.mark.parametrize("target", ["EN", "PT"])
def test_en_and_pt_are_rejected_by_the_sdk_before_sending(client, fake_deepl, target):
    with pytest.raises(deepl.DeepLException, match="deprecated"):
        client.translate_text("Hi", target_lang=target)
    assert fake_deepl.requests == []


def test_en_without_variant_is_rejected_by_the_fake_too(client, fake_deepl):
    # extra_body_parameters overwrites keys the SDK set, despite its docstring: a way past
    # the SDK's own EN check.
    with pytest.raises(deepl.DeepLException, match="target_lang") as info:
        client.translate_text("Hi", target_lang="DE", extra_body_parameters={"target_lang": "EN"})
    assert info.value.http_status_code == 400
    assert fake_deepl.translate_calls()[-1].target_lang == "EN"


@pytest.mark.parametrize("source", ["EN-US", "XX"])
def test_invalid_source(client, source):
    with pytest.raises(deepl.DeepLException, match="source_lang"):
        client.translate_text("Hi", source_lang=source, target_lang="DE")


@pytest.mark.parametrize("target", ["DE", "ES", "FR", "IT", "JA", "NL", "PL", "PT-BR", "PT-PT",
                                    "RU"])
def test_formality_where_supported(client, target):
    client.translate_text("Hi", target_lang=target, formality="more")
    client.translate_text("Hi", target_lang=target, formality=deepl.Formality.LESS)


@pytest.mark.parametrize("target", ["EN-US", "EN-GB", "ZH-HANS", "KO", "SV"])
def test_formality_unsupported_is_400_unless_prefer(client, target):
    with pytest.raises(deepl.DeepLException,
                       match="'formality' is not supported for given 'target_lang'") as info:
        client.translate_text("Hi", target_lang=target, formality="less")
    assert info.value.http_status_code == 400
    for formality in ("prefer_more", "prefer_less", "default"):
        client.translate_text("Hi", target_lang=target, formality=formality)


def test_unknown_formality_value(client):
    with pytest.raises(deepl.DeepLException, match="formality"):
        client.translate_text("Hi", target_lang="DE", formality="casual")


def test_split_sentences_takes_enum_values(client):
    for value in ("0", "1", "nonewlines", deepl.SplitSentences.OFF):
        client.translate_text("Hi", target_lang="DE", split_sentences=value)
    with pytest.raises(deepl.DeepLException, match="split_sentences"):
        client.translate_text("Hi", target_lang="DE", split_sentences="off")


# ---- languages ----------------------------------------------------------------------------

def test_languages(client, fake_deepl):
    sources = {lang.code: lang for lang in client.get_source_languages()}
    targets = {lang.code: lang for lang in client.get_target_languages()}
    assert {"EN", "PT", "ZH", "DE", "JA"} <= sources.keys()
    assert "EN-US" not in sources
    assert {"EN-GB", "EN-US", "PT-BR", "PT-PT", "ZH-HANS", "ZH-HANT"} <= targets.keys()
    assert not {"EN", "PT", "ZH"} & targets.keys()
    assert targets["DE"].supports_formality and targets["PT-BR"].supports_formality
    assert targets["EN-US"].supports_formality is False
    assert sources["DE"].supports_formality is None
    # The SDK asks for targets with a form body on a GET.
    assert fake_deepl.requests[-1].method == "GET"
    assert fake_deepl.requests[-1].params == {"type": "target"}


def test_languages_by_query_string(fake_deepl):
    response = raw(fake_deepl, "GET", "/v2/languages?type=target")
    assert "EN-US" in {lang["language"] for lang in response.json()}
    assert raw(fake_deepl, "GET", "/v2/languages?type=both").status_code == 400


def test_glossary_language_pairs(client):
    pairs = {(p.source_lang, p.target_lang) for p in client.get_glossary_languages()}
    # Base languages only, lower case, as the API sends them (the SDK passes them through).
    assert ("en", "de") in pairs and ("de", "en") in pairs and ("ja", "zh") in pairs
    assert not any("-" in s or "-" in t for s, t in pairs)
    assert ("en", "en") not in pairs


# ---- multilingual glossaries (v3) ---------------------------------------------------------

def test_multilingual_glossary_lifecycle(client, fake_deepl):
    created = client.create_multilingual_glossary("help", [
        MultilingualGlossaryDictionaryEntries("EN", "DE", {"Zebracorn": "Zebrakorn",
                                                           "refund": "Erstattung"}),
        MultilingualGlossaryDictionaryEntries("EN", "JA", {"refund": "返金"}),
    ])
    assert created.name == "help"
    assert [(d.source_lang, d.target_lang, d.entry_count) for d in created.dictionaries] == [
        ("EN", "DE", 2), ("EN", "JA", 1)]

    assert [g.glossary_id for g in client.list_multilingual_glossaries()] == [created.glossary_id]
    fetched = client.get_multilingual_glossary(created.glossary_id)
    assert fetched.creation_time == created.creation_time
    assert fetched.creation_time.tzinfo is not None

    entries = client.get_multilingual_glossary_entries(created, "EN", "DE").dictionaries
    # Entries come back as a TSV string, not the dict the type hints promise.
    assert isinstance(entries[0].entries, str)
    assert deepl.convert_tsv_to_dict(entries[0].entries) == {"Zebracorn": "Zebrakorn",
                                                              "refund": "Erstattung"}

    # update = PATCH /v3/glossaries/{id}: merges into the pair's dictionary.
    updated = client.update_multilingual_glossary_dictionary(
        created, MultilingualGlossaryDictionaryEntries("EN", "DE", {"refund": "Rückerstattung",
                                                                    "order": "Bestellung"}))
    by_pair = {(d.source_lang, d.target_lang): d.entry_count for d in updated.dictionaries}
    assert by_pair == {("EN", "DE"): 3, ("EN", "JA"): 1}
    tsv = client.get_multilingual_glossary_entries(created, "EN", "DE").dictionaries[0].entries
    assert deepl.convert_tsv_to_dict(tsv)["refund"] == "Rückerstattung"

    # A new pair through update is added.
    updated = client.update_multilingual_glossary_dictionary(
        created.glossary_id,
        MultilingualGlossaryDictionaryEntries("EN", "FR", {"order": "commande"}))
    assert len(updated.dictionaries) == 3

    # replace = PUT /v3/glossaries/{id}/dictionaries: drops the old entries.
    replaced = client.replace_multilingual_glossary_dictionary(
        created, MultilingualGlossaryDictionaryEntries("EN-US", "DE", {"Apple": "Apfel"}))
    assert (replaced.source_lang, replaced.target_lang, replaced.entry_count) == ("EN", "DE", 1)
    tsv = client.get_multilingual_glossary_entries(created, "EN", "DE").dictionaries[0].entries
    assert deepl.convert_tsv_to_dict(tsv) == {"Apple": "Apfel"}

    renamed = client.update_multilingual_glossary_name(created, "help v2")
    assert renamed.name == "help v2"

    client.delete_multilingual_glossary_dictionary(created, source_lang="EN", target_lang="JA")
    pairs = [(d.source_lang, d.target_lang)
             for d in client.get_multilingual_glossary(created.glossary_id).dictionaries]
    assert ("EN", "JA") not in pairs and len(pairs) == 2

    client.delete_multilingual_glossary(created)
    assert client.list_multilingual_glossaries() == []
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_multilingual_glossary(created.glossary_id)

    endpoints = [(c.method, c.endpoint) for c in fake_deepl.requests]
    assert ("PATCH", "/v3/glossaries/{id}") in endpoints
    assert ("PUT", "/v3/glossaries/{id}/dictionaries") in endpoints
    assert ("DELETE", "/v3/glossaries/{id}/dictionaries") in endpoints


def test_glossary_errors(client):
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_multilingual_glossary("96ab91fd-e715-41a1-adeb-5d701f84a483")
    with pytest.raises(deepl.DeepLException) as info:
        client.get_multilingual_glossary("not-a-uuid")
    assert info.value.http_status_code == 400
    with pytest.raises(deepl.DeepLException, match="language pair"):
        client.create_multilingual_glossary(
            "bad", [MultilingualGlossaryDictionaryEntries("EN", "XX", {"a": "b"})])
    with pytest.raises(ValueError):  # the SDK refuses empty entries itself
        client.create_multilingual_glossary(
            "empty", [MultilingualGlossaryDictionaryEntries("EN", "DE", {})])
    glossary = client.create_multilingual_glossary(
        "g", [MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"})])
    with pytest.raises(deepl.GlossaryNotFoundException, match="Dictionary not found"):
        client.get_multilingual_glossary_entries(glossary, "EN", "FR")


def test_glossaries_belong_to_their_key():
    with FakeDeepL(auth_keys=["alice", "bob"]) as fake:
        alice, bob = fake.client("alice"), fake.client("bob")
        glossary = alice.create_multilingual_glossary(
            "g", [MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"})])
        assert bob.list_multilingual_glossaries() == []
        with pytest.raises(deepl.GlossaryNotFoundException):
            bob.get_multilingual_glossary(glossary.glossary_id)


def test_translate_with_glossary(client, fake_deepl):
    glossary = client.create_multilingual_glossary("help", [
        MultilingualGlossaryDictionaryEntries("EN", "DE", {"Zebracorn": "Zebrakorn",
                                                           "refund partner": "Erstattungspartner"}),
    ])
    text = "Zebracorn is our refund partner, not Zebracorns."
    by_id = client.translate_text(text, source_lang="EN", target_lang="DE",
                                  glossary=glossary.glossary_id)
    assert by_id.text == "[DE] Zebrakorn IS OUR Erstattungspartner, NOT zEBRACORNS."
    assert fake_deepl.translate_calls()[-1].params["glossary_id"] == glossary.glossary_id
    # The info object works too, and one EN→DE dictionary serves a regional target.
    by_info = client.translate_text(text, source_lang="EN", target_lang="DE", glossary=glossary)
    assert by_info.text == by_id.text
    # Glossary terms inside markup are replaced, the markup itself is not.
    tagged = client.translate_text('<a href="Zebracorn">Zebracorn</a>', source_lang="EN",
                                   target_lang="DE", glossary=glossary, tag_handling="xml")
    assert tagged.text == '<a href="Zebracorn">[DE] Zebrakorn</a>'


def test_glossary_needs_source_lang_and_a_matching_pair(client):
    glossary = client.create_multilingual_glossary(
        "g", [MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"})])
    with pytest.raises(ValueError, match="source_lang is required"):
        client.translate_text("a", target_lang="DE", glossary=glossary.glossary_id)
    with pytest.raises(ValueError):  # the SDK checks the pair when given the info object
        client.translate_text("a", source_lang="EN", target_lang="FR", glossary=glossary)
    with pytest.raises(deepl.DeepLException, match="dictionary") as info:
        client.translate_text("a", source_lang="EN", target_lang="FR",
                              glossary=glossary.glossary_id)
    assert info.value.http_status_code == 400
    with pytest.raises(deepl.DeepLException, match="Glossary not found"):
        client.translate_text("a", source_lang="EN", target_lang="DE",
                              glossary="96ab91fd-e715-41a1-adeb-5d701f84a483")


# ---- the fake itself ----------------------------------------------------------------------

def test_a_broken_hook_is_a_500_and_recorded(client, fake_deepl, monkeypatch):
    fast_sdk(monkeypatch, retries=0)
    fake_deepl.transform = lambda call: []
    with pytest.raises(deepl.DeepLException, match="one translation per text"):
        client.translate_text("Hi", target_lang="DE")
    assert len(fake_deepl.errors) == 1
    assert fake_deepl.billed_characters == 0


def test_unknown_route_and_method(fake_deepl):
    assert raw(fake_deepl, "GET", "/v2/nothing").status_code == 404
    assert raw(fake_deepl, "DELETE", "/v2/translate").status_code == 405


def test_bad_json_is_400(fake_deepl):
    response = raw(fake_deepl, "POST", "/v2/translate", data=b"{nope",
                   headers={"Authorization": f"DeepL-Auth-Key {fake_deepl.auth_key}",
                            "Content-Type": "application/json"})
    assert response.status_code == 400


def test_json_text_must_be_an_array(fake_deepl):
    response = raw(fake_deepl, "POST", "/v2/translate",
                   json={"text": "Hello", "target_lang": "DE"})
    assert response.status_code == 400
    assert json.loads(response.text)["message"] == "Value for 'text' not supported."


def test_listens_on_loopback_only_and_stop_ends_hangs():
    fake = FakeDeepL().start()
    assert fake._server.server_address[0] == "127.0.0.1"
    url = fake.url
    fake.hang_next(30)
    answers = []
    waiter = threading.Thread(target=lambda: answers.append(
        raw(fake, "GET", "/v2/usage").status_code))
    waiter.start()
    while not fake.requests:
        time.sleep(0.01)
    started = time.monotonic()
    fake.stop()
    waiter.join(timeout=5)
    assert time.monotonic() - started < 3
    assert answers == [200]  # the hung request was released and answered
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/v2/usage", timeout=1)
