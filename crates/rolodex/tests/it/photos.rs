//! Contact photos through the native API over real HTTP: real JPEG, PNG, GIF and BMP uploads
//! and their three sizes, the refused uploads (which change nothing), caching headers,
//! history, tenants and roles, and the files on disk.

use crate::support::images;
use crate::support::{TestApp, TestClient as Api};
use image::ImageFormat;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A new contact of a new customer; its path.
pub(crate) async fn contact(api: &Api) -> String {
    let customer = api
        .post(
            "/v1/customers",
            json!({"code": "ABCCORP"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .clone();
    let contact = api
        .post(
            &format!("/v1/customers/{customer}/contacts"),
            json!({"first_name": "Marie", "last_name": "Schrader"}),
            StatusCode::CREATED,
        )
        .await;
    format!("/v1/customers/{customer}/contacts/{}", contact["id"])
}

async fn upload(api: &Api, url: &str, bytes: Vec<u8>, content_type: &str) -> (StatusCode, Value) {
    let request = api
        .request(Method::PUT, &format!("{url}/photo"))
        .header("Content-Type", content_type)
        .body(bytes);
    let (status, _, body) = api.send(request).await;
    (status, body)
}

/// GET of one size of the photo: status, headers, bytes.
async fn fetch(api: &Api, url: &str, size: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let path = match size {
        Some(s) => format!("{url}/photo?size={s}"),
        None => format!("{url}/photo"),
    };
    let response = api
        .request(Method::GET, &path)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body").to_vec();
    (status, headers, bytes)
}

async fn real_jpeg_png_gif_and_bmp_uploads_are_served_in_three_sizes(app: TestApp) {
    let api = app.admin().await;
    let url = contact(&api).await;
    for (name, bytes, served) in [
        ("jpeg", images::jpeg(900, 600), ImageFormat::Jpeg),
        ("png", images::png(600, 900), ImageFormat::Png),
        ("gif", images::gif(700, 350), ImageFormat::Png),
        ("bmp", images::bmp(640, 480), ImageFormat::Png),
    ] {
        // The declared type is ignored: the content decides.
        let (status, body) = upload(&api, &url, bytes, "application/octet-stream").await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let photo = &body["photo"];
        assert_eq!(photo["href"], format!("{url}/photo"), "{name}");
        assert_eq!(photo["small_href"], format!("{url}/photo?size=small"));
        assert_eq!(photo["medium_href"], format!("{url}/photo?size=medium"));
        let content_type = match served {
            ImageFormat::Jpeg => "image/jpeg",
            _ => "image/png",
        };
        assert_eq!(photo["content_type"], content_type, "{name}");
        let (w, h) = (
            u32::try_from(photo["width"].as_u64().expect("width")).expect("u32"),
            u32::try_from(photo["height"].as_u64().expect("height")).expect("u32"),
        );
        for (size, fits) in [
            (None, None),
            (Some("medium"), Some(512)),
            (Some("small"), Some(128)),
        ] {
            let (status, headers, bytes) = fetch(&api, &url, size).await;
            assert_eq!(status, StatusCode::OK, "{name} {size:?}");
            assert_eq!(headers["content-type"], content_type, "{name} {size:?}");
            assert_eq!(headers["cache-control"], "private, no-cache");
            assert_eq!(headers["x-content-type-options"], "nosniff");
            let etag = headers["etag"].to_str().expect("ASCII ETag").to_owned();
            let (dw, dh, format) = images::decode(&bytes);
            assert_eq!(format, served, "{name} {size:?}");
            match fits {
                None => assert_eq!((dw, dh), (w, h), "{name}"),
                Some(side) => {
                    assert_eq!(dw.max(dh), side, "{name} {size:?}");
                    // The aspect ratio is kept (to the rounding of one pixel).
                    let expected = u64::from(w.min(h)) * u64::from(side) / u64::from(w.max(h));
                    assert!(
                        u64::from(dw.min(dh)).abs_diff(expected) <= 1,
                        "{name} {size:?}"
                    );
                }
            }
            // A client holding the current copy gets 304.
            let path = match size {
                Some(s) => format!("{url}/photo?size={s}"),
                None => format!("{url}/photo"),
            };
            let request = api
                .request(Method::GET, &path)
                .header("If-None-Match", &etag);
            let (status, _, _) = api.send(request).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{name} {size:?}");
        }
    }
    // Four uploads, each replacing the one before: only the last one's three files remain.
    let stored = app.media_files();
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert!(
        stored.iter().all(|f| f.starts_with("tenants/")),
        "{stored:?}"
    );
    assert!(!stored.iter().any(|f| f.contains(".tmp")), "{stored:?}");
}

async fn refused_uploads_answer_with_their_problem_and_keep_the_previous_photo(app: TestApp) {
    let api = app.admin().await;
    let url = contact(&api).await;
    let (status, before) = upload(&api, &url, images::png(300, 200), "image/png").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let (_, _, original) = fetch(&api, &url, None).await;
    let stored = app.media_files();

    for (what, bytes, status, code) in [
        (
            "text named .png",
            images::text(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_photo_format",
        ),
        (
            "3 MB image",
            images::three_megabytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo_too_large",
        ),
        (
            "30000x30000 PNG",
            images::png_declaring(30_000, 30_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_too_many_pixels",
        ),
        (
            "truncated JPEG",
            images::truncated_jpeg(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo_undecodable",
        ),
    ] {
        let (got, body) = upload(&api, &url, bytes, "image/png").await;
        assert_eq!(got, status, "{what}: {body}");
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            assert_eq!(body["code"], "validation_failed", "{what}");
            assert_eq!(body["errors"][0]["field"], "photo", "{what}");
            assert_eq!(body["errors"][0]["code"], code, "{what}");
        } else {
            assert_eq!(body["code"], code, "{what}");
        }
        let after = api.get(&url, StatusCode::OK).await;
        assert_eq!(
            after["version"], before["version"],
            "{what} changed the contact"
        );
        assert_eq!(after["photo"], before["photo"], "{what}");
        let (_, _, served) = fetch(&api, &url, None).await;
        assert_eq!(served, original, "{what} changed the photo");
        assert_eq!(app.media_files(), stored, "{what} left files behind");
    }
}

async fn a_photo_change_bumps_the_version_and_history_keeps_old_and_new_references(app: TestApp) {
    let api = app.admin().await;
    let url = contact(&api).await;
    let (_, first) = upload(&api, &url, images::jpeg(200, 100), "image/jpeg").await;
    assert_eq!(first["version"], 2);
    let (_, second) = upload(&api, &url, images::png(100, 200), "image/png").await;
    assert_eq!(second["version"], 3);
    api.delete(&format!("{url}/photo"), StatusCode::NO_CONTENT)
        .await;
    let after = api.get(&url, StatusCode::OK).await;
    assert_eq!(after["version"], 4);
    assert_eq!(after["photo"], Value::Null);
    for size in [None, Some("small"), Some("medium")] {
        assert_eq!(fetch(&api, &url, size).await.0, StatusCode::NOT_FOUND);
    }
    assert!(
        app.media_files().is_empty(),
        "delete removes all three files"
    );
    api.delete(&format!("{url}/photo"), StatusCode::NOT_FOUND)
        .await;

    let history = api.get(&format!("{url}/history"), StatusCode::OK).await;
    let items = history["items"].as_array().expect("entries");
    assert_eq!(items.len(), 4);
    let change = |i: usize| items[i]["changes"][0].clone();
    assert_eq!(change(1)["field"], "photo");
    assert_eq!(change(1)["old"], Value::Null);
    assert_eq!(change(1)["new"]["width"], 200);
    assert_eq!(change(1)["new"]["format"], "jpeg");
    assert_eq!(change(2)["old"], change(1)["new"]);
    assert_eq!(change(2)["new"]["height"], 200);
    assert_eq!(change(3)["old"], change(2)["new"]);
    assert_eq!(change(3)["new"], Value::Null);
    // The references name files, never hold their bytes.
    assert!(
        change(2)["new"]["sha256"]
            .as_str()
            .is_some_and(|s| s.len() == 64)
    );
}

async fn photos_follow_the_tenant_and_role_rules_of_every_call(app: TestApp) {
    let api = app.admin().await;
    let url = contact(&api).await;
    upload(&api, &url, images::png(50, 50), "image/png").await;

    let viewer = app.member("vera", "viewer").await;
    assert_eq!(fetch(&viewer, &url, Some("small")).await.0, StatusCode::OK);
    let (status, body) = upload(&viewer, &url, images::png(60, 60), "image/png").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _, _) = viewer
        .send(viewer.request(Method::DELETE, &format!("{url}/photo")))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let other = app.admin_of_new_tenant("OTHER", "olga").await;
    assert_eq!(fetch(&other, &url, None).await.0, StatusCode::NOT_FOUND);
    let (status, _) = upload(&other, &url, images::png(60, 60), "image/png").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(
        fetch(&app.api, &url, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fetch(&api, &url, Some("huge")).await.0,
        StatusCode::BAD_REQUEST
    );

    // A deleted contact takes its photo files with it.
    api.delete(&url, StatusCode::NO_CONTENT).await;
    assert!(app.media_files().is_empty());
}

async fn a_full_replacement_of_the_contact_keeps_its_photo(app: TestApp) {
    let api = app.admin().await;
    let url = contact(&api).await;
    let (_, with_photo) = upload(&api, &url, images::gif(80, 40), "image/gif").await;
    let replaced = api
        .put(
            &url,
            json!({"first_name": "Marie", "last_name": "Curie"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(replaced["photo"], with_photo["photo"]);
    let refused = api
        .patch(
            &url,
            json!({"photo": null}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(refused["errors"][0]["code"], "read_only");
}

app_tests!(
    real_jpeg_png_gif_and_bmp_uploads_are_served_in_three_sizes,
    refused_uploads_answer_with_their_problem_and_keep_the_previous_photo,
    a_photo_change_bumps_the_version_and_history_keeps_old_and_new_references,
    photos_follow_the_tenant_and_role_rules_of_every_call,
    a_full_replacement_of_the_contact_keeps_its_photo,
);
