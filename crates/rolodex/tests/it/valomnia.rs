//! Valomnia's contacts API (seed 003, siblings 4) over real HTTP: the session login, the
//! seed's update in form and multipart bodies with a photo, the success example checked
//! member by member, every documented error (each changing nothing), create, show, delete,
//! the `href` targets, and native reads of what was written. Lists: `valomnia_lists`.

use crate::support::images;
use crate::support::valomnia::{
    Client, Part, V, error, is_instant, login, refused_login, url_form, world,
};
use crate::support::{ADMIN_PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn login_sets_a_session_cookie_and_ajax_success_describes_the_session(app: TestApp) {
    let v = login(&app, "admin", ADMIN_PASSWORD).await;
    let (status, body) = v.get("/login/ajaxSuccess").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["token"].as_str(), v.cookie.as_deref());
    let user = &body["user"];
    assert_eq!(user["role"], json!(["ROLE_USER"]));
    assert_eq!(user["enabled"], true);
    let tenant = app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("tenant DEFAULT");
    assert_eq!(user["uploadDirectory"], format!("/DEFAULT-{}", tenant.id));
    for member in [
        "firstName",
        "lastName",
        "email",
        "companyName",
        "avatar",
        "currency",
    ] {
        assert!(user.get(member).is_some(), "{member}");
    }

    // The same parameters in a query string log in too.
    let client = Client::new(&app);
    let (status, headers, _) = client
        .send(client.request(
            Method::GET,
            &format!(
                "/j_spring_security_check?{}",
                url_form(&[
                    ("j_username", "admin"),
                    ("j_password", ADMIN_PASSWORD),
                    ("ajax", "true")
                ])
            ),
        ))
        .await;
    assert_eq!(status, StatusCode::FOUND);
    assert!(headers.contains_key("set-cookie"));

    let anonymous = Client::new(&app);
    let wrong = anonymous
        .form(
            "/j_spring_security_check",
            &[
                ("j_username", "admin"),
                ("j_password", "wrong"),
                ("ajax", "true"),
            ],
        )
        .await;
    refused_login(
        &wrong,
        "no_credentials",
        "Sorry, we were not able to find a user with that username and password.",
    );
    refused_login(
        &anonymous
            .form("/j_spring_security_check", &[("j_username", "admin")])
            .await,
        "missing_param",
        "j_password parameter is missing",
    );
    // Where a refused login sends its client, with either method.
    for code in [
        "no_credentials",
        "missing_param",
        "too_many_attempts",
        "other",
    ] {
        let path = format!("/login/authfail?ajax=true&error={code}");
        let (status, body) = anonymous.get(&path).await;
        let expected = match code {
            "missing_param" => StatusCode::BAD_REQUEST,
            "too_many_attempts" => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::UNAUTHORIZED,
        };
        assert_eq!(status, expected, "{body}");
        let code = if code == "other" {
            "no_credentials"
        } else {
            code
        };
        assert_eq!(body["error"], code);
        assert_eq!(anonymous.form(&path, &[]).await, (status, body));
    }
    let (status, body) = anonymous.get(&format!("{V}/contacts")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("no_credentials"))
    );

    // A bearer token works as well as the cookie.
    let token = app.token("admin", ADMIN_PASSWORD).await;
    let bearer = anonymous
        .json(
            anonymous
                .request(Method::GET, &format!("{V}/contacts"))
                .bearer_auth(token),
        )
        .await;
    assert_eq!(bearer.0, StatusCode::OK, "{}", bearer.1);
}

async fn the_seed_update_answers_the_success_example_member_by_member(app: TestApp) {
    let w = world(app).await;
    let created = w.marie().await;
    let id = created["id"].as_i64().expect("id");
    let customer = w.customer.to_string();
    let png = images::png(400, 300);
    let (status, body) =
        w.v.multipart(
            &format!("{V}/contacts/{id}"),
            vec![
                Part::Text("firstName", "Marie"),
                Part::Text("lastName", "Schrader"),
                Part::Text("customerId", &customer),
                Part::Text("fonction", "Commercial"),
                Part::Text("city", "Any town"),
                Part::Text("address", "Main street"),
                Part::Text("isDecisionMaker", "true"),
                Part::File("imageFile", "marie_schrader.png", png),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Every member of the page's example, in its order, and no other.
    let keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "id",
        "customerReference",
        "customer",
        "firstName",
        "lastName",
        "mobile",
        "fax",
        "email",
        "fonction",
        "phone",
        "phone2",
        "comment",
        "country",
        "city",
        "postalCode",
        "address",
        "isDecisionMaker",
        "photo",
        "user",
        "organization",
        "dateCreated",
        "lastUpdated",
    ];
    // In the page's order, as the body is written.
    let (_, _, raw) =
        w.v.send(w.v.request(Method::GET, &format!("{V}/contacts/{id}")))
            .await;
    let positions: Vec<usize> = expected
        .iter()
        .map(|k| {
            raw.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} in {raw}"))
        })
        .collect();
    assert!(positions.windows(2).all(|p| p[0] < p[1]), "{raw}");
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);

    assert_eq!(body["id"], id);
    assert_eq!(body["customerReference"], "C0959");
    assert_eq!(
        body["customer"],
        json!({"id": w.customer, "reference": "C0959", "name": "Marie's Jewelry",
               "href": format!("/api/v2.1/customers/{}", w.customer)})
    );
    assert_eq!(body["firstName"], "Marie");
    assert_eq!(body["lastName"], "Schrader");
    for empty in [
        "mobile",
        "fax",
        "email",
        "phone",
        "phone2",
        "comment",
        "country",
        "postalCode",
    ] {
        assert_eq!(body[empty], "", "{empty} is an empty string");
    }
    assert_eq!(body["fonction"], "Commercial");
    assert_eq!(body["city"], "Any town");
    assert_eq!(body["address"], "Main street");
    assert_eq!(body["isDecisionMaker"], true);
    let user = &body["user"];
    assert_eq!(user["reference"], "admin");
    assert!(user["id"].is_i64());
    assert_eq!(user["href"], format!("/api/v2.1/users/{}", user["id"]));
    assert_eq!(body["organization"], "DEFAULT");
    assert!(is_instant(&body["dateCreated"]), "{}", body["dateCreated"]);
    assert!(is_instant(&body["lastUpdated"]), "{}", body["lastUpdated"]);
    assert_eq!(body["dateCreated"], created["dateCreated"]);

    // The photo URL serves the image; small_ and medium_ before the file name its variants.
    let photo = body["photo"].as_str().expect("a photo URL");
    let tenant = w
        .app
        .services
        .tenants
        .by_code("DEFAULT")
        .await
        .expect("tenant");
    let prefix = format!("{}/DEFAULT-{}/photoContact/{id}_", w.app.address, tenant.id);
    assert!(photo.starts_with(&prefix), "{photo}");
    assert!(photo.ends_with(".png"), "{photo}");
    let (dir, file) = photo.rsplit_once('/').expect("a file name");
    for (variant, dims) in [
        ("", (400, 300)),
        ("medium_", (400, 300)),
        ("small_", (128, 96)),
    ] {
        let (status, headers, bytes) = w.v.bytes(&format!("{dir}/{variant}{file}")).await;
        assert_eq!(status, StatusCode::OK, "{variant}");
        assert_eq!(headers["content-type"], "image/png");
        let (width, height, _) = images::decode(&bytes);
        assert_eq!((width, height), dims, "{variant}");
    }
    assert_eq!(
        w.v.bytes(&format!("{dir}/large_{file}")).await.0,
        StatusCode::NOT_FOUND
    );
    // Without a session too: the URL is the credential.
    let (status, _, bytes) = Client::new(&w.app).bytes(photo).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, w.v.bytes(photo).await.2);

    // The same contact through the native API.
    let native = w.native.get(&w.native_url(&body), StatusCode::OK).await;
    assert_eq!(native["first_name"], "Marie");
    assert_eq!(native["last_name"], "Schrader");
    assert_eq!(native["title"], "Commercial");
    assert_eq!(native["city"], "Any town");
    assert_eq!(native["address_1"], "Main street");
    assert_eq!(native["is_decision_maker"], true);
    assert_eq!(native["owner_id"], body["user"]["id"]);
    assert_eq!(
        (
            native["photo"]["width"].clone(),
            native["photo"]["height"].clone()
        ),
        (json!(400), json!(300))
    );
    assert_eq!(native["version"], 2);
    let history = w
        .native
        .get(&format!("{}/history", w.native_url(&body)), StatusCode::OK)
        .await;
    assert_eq!(history["items"][1]["surface"], "valomnia");
    let (_, _, original) = w.v.bytes(photo).await;
    let native_photo = w
        .native
        .send(
            w.native
                .request(Method::GET, &format!("{}/photo", w.native_url(&body))),
        )
        .await;
    assert_eq!(native_photo.0, StatusCode::OK);
    assert!(!original.is_empty());
}

async fn a_form_update_reads_back_identically_through_the_native_api(app: TestApp) {
    let w = world(app).await;
    let marie = w.marie().await;
    let customer = w.customer.to_string();
    let url = format!("{V}/contacts/{}", marie["id"]);
    let (status, body) =
        w.v.form(
            &url,
            &[
                ("firstName", "Marie"),
                ("lastName", "Schrader"),
                ("customerId", &customer),
                ("email", "marie@jewelry.example"),
                ("phone", "+33 1 23 45 67 89"),
                ("phone2", "+33 1 98 76 54 32"),
                ("mobile", "+33 6 12 34 56 78"),
                ("fax", "+33 1 11 11 11 11"),
                ("country", "fr"),
                ("postalCode", "75001"),
                ("comment", "Prefers mornings"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["country"], "FR");
    assert_eq!(body["photo"], Value::Null);
    let native = w.native.get(&w.native_url(&body), StatusCode::OK).await;
    let phone = |kind: &str| {
        native["phones"]
            .as_array()
            .expect("phones")
            .iter()
            .find(|p| p["type"] == kind)
            .map(|p| p["number"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(phone("business"), body["phone"]);
    assert_eq!(phone("other"), body["phone2"]);
    assert_eq!(phone("mobile"), body["mobile"]);
    assert_eq!(phone("fax"), body["fax"]);
    assert_eq!(native["emails"], json!([body["email"]]));
    assert_eq!(native["country"], body["country"]);
    assert_eq!(native["postal_code"], body["postalCode"]);
    assert_eq!(native["notes"], body["comment"]);
    assert_eq!(native["first_name"], body["firstName"]);
    assert_eq!(
        native["updated_at"].as_str().map(|s| &s[..19]),
        body["lastUpdated"].as_str().map(|s| &s[..19])
    );

    // A parameter left out leaves its field alone; an empty one clears it.
    let (status, body) =
        w.v.form(
            &url,
            &[
                ("firstName", "Marie"),
                ("lastName", "Schrader"),
                ("customerId", &customer),
                ("email", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "");
    assert_eq!(body["phone"], "+33 1 23 45 67 89");
    let native = w.native.get(&w.native_url(&body), StatusCode::OK).await;
    assert_eq!(native["emails"], json!([]));
}

async fn every_documented_error_is_answered_and_changes_nothing(app: TestApp) {
    let w = world(app).await;
    let marie = w.marie().await;
    let id = marie["id"].as_i64().expect("id");
    let customer = w.customer.to_string();
    let url = format!("{V}/contacts/{id}");
    let (status, with_photo) =
        w.v.multipart(
            &url,
            vec![
                Part::Text("firstName", "Marie"),
                Part::Text("lastName", "Schrader"),
                Part::Text("customerId", &customer),
                Part::File("imageFile", "marie.jpg", images::jpeg(320, 240)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{with_photo}");
    let photo = with_photo["photo"].as_str().expect("photo").to_owned();
    let (_, _, original) = w.v.bytes(&photo).await;
    let before = w.native.get(&w.native_url(&marie), StatusCode::OK).await;
    let unchanged = || async {
        let now = w.native.get(&w.native_url(&marie), StatusCode::OK).await;
        assert_eq!(now, before, "a refused call changed the contact");
        assert_eq!(
            w.v.bytes(&photo).await.2,
            original,
            "a refused call changed the photo"
        );
    };
    let base = |extra: &'static [(&'static str, &'static str)]| {
        let mut pairs = vec![("firstName", "Marie"), ("lastName", "Schrader")];
        pairs.extend_from_slice(extra);
        pairs
    };

    error(
        &w.v.form(&url, &base(&[])).await,
        StatusCode::BAD_REQUEST,
        "missing_param",
        "customerId parameter is missing",
    );
    unchanged().await;
    error(
        &w.v.form(&url, &[("lastName", "S"), ("customerId", &customer)])
            .await,
        StatusCode::BAD_REQUEST,
        "missing_param",
        "firstName parameter is missing",
    );
    error(
        &w.v.form(&url, &base(&[("customerId", "C0959")])).await,
        StatusCode::BAD_REQUEST,
        "invalid_param_type",
        "The type of parameter customerId you provided is not valid for this request.",
    );
    error(
        &w.v.get(&format!("{V}/contacts/abc")).await,
        StatusCode::BAD_REQUEST,
        "invalid_param_type",
        "The type of parameter id you provided is not valid for this request.",
    );
    unchanged().await;

    let mut pairs = base(&[("email", "not an email")]);
    pairs.push(("customerId", &customer));
    error(
        &w.v.form(&url, &pairs).await,
        StatusCode::BAD_REQUEST,
        "email_validation_error",
        "Failed to update the contact : incorrect Email format",
    );
    let mut pairs = base(&[("email", "nope@")]);
    pairs.push(("customerId", &customer));
    error(
        &w.v.form(&format!("{V}/contacts"), &pairs).await,
        StatusCode::BAD_REQUEST,
        "email_validation_error",
        "Failed to create the contact : incorrect Email format",
    );
    let mut pairs = base(&[("country", "ZZ")]);
    pairs.push(("customerId", &customer));
    error(
        &w.v.form(&url, &pairs).await,
        StatusCode::BAD_REQUEST,
        "country_error",
        "Failed to update the contact : incorrect country code",
    );
    unchanged().await;

    for (what, name, bytes, code, description) in [
        (
            "3 MB image",
            "big.bmp",
            images::three_megabytes(),
            "exceeded_file_size",
            "image size should not exceed 2Mo",
        ),
        (
            "text named .png",
            "photo.png",
            images::text(),
            "unsupported_file_type",
            "image format not supported.",
        ),
        (
            "30000x30000 PNG",
            "bomb.png",
            images::png_declaring(30_000, 30_000),
            "unsupported_file_type",
            "image format not supported.",
        ),
        (
            "truncated JPEG",
            "cut.jpg",
            images::truncated_jpeg(),
            "unsupported_file_type",
            "image format not supported.",
        ),
    ] {
        let answer =
            w.v.multipart(
                &url,
                vec![
                    Part::Text("firstName", "Changed"),
                    Part::Text("lastName", "Schrader"),
                    Part::Text("customerId", &customer),
                    Part::File("imageFile", name, bytes),
                ],
            )
            .await;
        assert_eq!(answer.1["error"], code, "{what}");
        error(&answer, StatusCode::BAD_REQUEST, code, description);
        unchanged().await;
    }

    // A good photo with a bad field: the record is not written, and the photo's files, stored
    // first, are removed again.
    let files = w.app.media_files();
    assert_eq!(files.len(), 3, "{files:?}");
    error(
        &w.v.multipart(
            &url,
            vec![
                Part::Text("firstName", "Marie"),
                Part::Text("lastName", "Schrader"),
                Part::Text("customerId", &customer),
                Part::Text("email", "not an email"),
                Part::File("imageFile", "new.png", images::png(50, 50)),
            ],
        )
        .await,
        StatusCode::BAD_REQUEST,
        "email_validation_error",
        "Failed to update the contact : incorrect Email format",
    );
    assert_eq!(w.app.media_files(), files);
    unchanged().await;

    let long = "x".repeat(300);
    let mut pairs = vec![("firstName", long.as_str()), ("lastName", "Schrader")];
    pairs.push(("customerId", &customer));
    let answer = w.v.form(&url, &pairs).await;
    assert_eq!(
        (answer.0, answer.1["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("save_failed"))
    );
    assert!(
        answer.1["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Failed to save instance. firstName:")),
        "{}",
        answer.1
    );
    unchanged().await;

    error(
        &w.v.form(&url, &base(&[("customerId", "31888")])).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "The customer with the id 31888 doesn't exist.",
    );
    error(
        &w.v.get(&format!("{V}/contacts/7065")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "The contact with the id 7065 doesn't exist.",
    );
    let mut pairs = base(&[]);
    pairs.push(("customerId", &customer));
    error(
        &w.v.form(&format!("{V}/contacts/7065"), &pairs).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "The contact with the id 7065 doesn't exist.",
    );
    unchanged().await;

    // Storage that cannot be written: the page's 500.
    std::fs::remove_dir_all(&w.app.media_dir).expect("the media folder exists");
    std::fs::write(&w.app.media_dir, b"not a folder").expect("a file in its place");
    error(
        &w.v.multipart(
            &url,
            vec![
                Part::Text("firstName", "Changed"),
                Part::Text("lastName", "Schrader"),
                Part::Text("customerId", &customer),
                Part::File("imageFile", "ok.png", images::png(20, 20)),
            ],
        )
        .await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "Oops! Something went wrong...",
    );
    let now = w.native.get(&w.native_url(&marie), StatusCode::OK).await;
    assert_eq!(now, before, "a failed call changed the contact");
}

async fn create_show_delete_external_ids_and_the_href_targets(app: TestApp) {
    let w = world(app).await;
    let (status, created) =
        w.v.form(
            &format!("{V}/contacts"),
            &[
                ("firstName", "Hank"),
                ("lastName", "Schrader"),
                ("customerId", "C0959"),
                ("useExternalId", "true"),
                ("externalId", "EXT-7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["dateCreated"], created["lastUpdated"]);
    assert_eq!(created["customerReference"], "C0959");
    assert_eq!(created["user"]["reference"], "admin");
    assert_eq!(created["photo"], Value::Null);

    let (status, shown) = w.v.get(&format!("{V}/contacts/{}", created["id"])).await;
    assert_eq!((status, &shown), (StatusCode::OK, &created));
    let (status, by_external) =
        w.v.get(&format!("{V}/contacts/EXT-7?useExternalId=true"))
            .await;
    assert_eq!((status, &by_external), (StatusCode::OK, &created));

    let (status, updated) =
        w.v.form(
            &format!("{V}/contacts/EXT-7"),
            &[
                ("firstName", "Henry"),
                ("lastName", "Schrader"),
                ("customerId", "C0959"),
                ("useExternalId", "true"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["firstName"], "Henry");
    assert_eq!(updated["id"], created["id"]);

    let (status, customer) =
        w.v.get(created["customer"]["href"].as_str().expect("href"))
            .await;
    assert_eq!(status, StatusCode::OK, "{customer}");
    assert_eq!(customer["id"], w.customer);
    assert_eq!(customer["reference"], "C0959");
    assert_eq!(customer["name"], "Marie's Jewelry");
    assert_eq!(customer["href"], created["customer"]["href"]);
    let (status, user) =
        w.v.get(created["user"]["href"].as_str().expect("href"))
            .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["reference"], "admin");
    assert_eq!(user["href"], created["user"]["href"]);
    error(
        &w.v.get(&format!("{V}/users/999")).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "The user with the id 999 doesn't exist.",
    );

    // Another customer's id cannot move the contact.
    let other = w
        .native
        .post(
            "/v1/customers",
            json!({"code": "OTHER"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .to_string();
    let answer =
        w.v.form(
            &format!("{V}/contacts/{}", created["id"]),
            &[
                ("firstName", "H"),
                ("lastName", "S"),
                ("customerId", &other),
            ],
        )
        .await;
    assert_eq!(answer.1["error"], "save_failed", "{}", answer.1);

    // Roles and tenants.
    w.app.member("vera", "viewer").await;
    let viewer = login(&w.app, "vera", "vera-password").await;
    assert_eq!(
        viewer
            .get(&format!("{V}/contacts/{}", created["id"]))
            .await
            .0,
        StatusCode::OK
    );
    let refused = viewer
        .form(
            &format!("{V}/contacts"),
            &[
                ("firstName", "A"),
                ("lastName", "B"),
                ("customerId", "C0959"),
                ("useExternalId", "true"),
            ],
        )
        .await;
    assert_eq!(
        (refused.0, refused.1["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("access_denied"))
    );
    w.app.admin_of_new_tenant("ELSEWHERE", "olga").await;
    let olga = login(&w.app, "olga", "olga-password").await;
    assert_eq!(
        olga.get(&format!("{V}/contacts/{}", created["id"])).await.0,
        StatusCode::NOT_FOUND
    );

    let delete =
        w.v.json(w.v.request(Method::DELETE, &format!("{V}/contacts/{}", created["id"])))
            .await;
    assert_eq!(delete.0, StatusCode::NO_CONTENT);
    error(
        &w.v.get(&format!("{V}/contacts/{}", created["id"])).await,
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("The contact with the id {} doesn't exist.", created["id"]),
    );
}

async fn a_member_of_several_tenants_names_the_organization_at_login(app: TestApp) {
    let other = app
        .services
        .tenants
        .create("ENTITY1", Some("Entity one"))
        .await
        .expect("a second tenant");
    app.services
        .users
        .join(other.id, "admin", rolodex_domain::Role::Dispatcher)
        .await
        .expect("admin joins it");

    let anonymous = Client::new(&app);
    refused_login(
        &anonymous
            .form(
                "/j_spring_security_check",
                &[
                    ("j_username", "admin"),
                    ("j_password", ADMIN_PASSWORD),
                    ("ajax", "true"),
                ],
            )
            .await,
        "missing_param",
        "organization parameter is missing",
    );

    let mut v = Client::new(&app);
    let request = v
        .request(Method::POST, "/j_spring_security_check")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(url_form(&[
            ("j_username", "admin"),
            ("j_password", ADMIN_PASSWORD),
            ("ajax", "true"),
            ("organization", "ENTITY1"),
        ]));
    let (status, headers, _) = v.send(request).await;
    assert_eq!(status, StatusCode::FOUND);
    let cookie = headers["set-cookie"].to_str().expect("ASCII");
    v.cookie = cookie
        .strip_prefix("JSESSIONID=")
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let (status, me) = v.get("/login/ajaxSuccess").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["companyName"], "Entity one");
    assert_eq!(
        me["user"]["uploadDirectory"],
        format!("/ENTITY1-{}", other.id)
    );
    let (status, list) = v.get(&format!("{V}/contacts")).await;
    assert_eq!(
        (status, list["paging"]["total"].clone()),
        (StatusCode::OK, json!(0))
    );
}

async fn contacts_written_elsewhere_have_a_user_and_photo_urls_need_no_session(app: TestApp) {
    let w = world(app).await;
    let dora = w.app.member("dora", "dispatcher").await;
    let contacts = format!("/v1/customers/{}/contacts", w.customer);
    let by_admin = w
        .native
        .post(&contacts, json!({"first_name": "Ann"}), StatusCode::CREATED)
        .await;
    let by_dora = dora
        .post(&contacts, json!({"first_name": "Bob"}), StatusCode::CREATED)
        .await;
    assert_eq!(by_admin["owner_id"], Value::Null);
    let dora_id = by_dora["created_by"].clone();
    let owned = w
        .native
        .post(
            &contacts,
            json!({"first_name": "Cid", "owner_id": dora_id}),
            StatusCode::CREATED,
        )
        .await;
    for (contact, user) in [(&by_admin, "admin"), (&by_dora, "dora"), (&owned, "dora")] {
        let (status, shown) = w.v.get(&format!("{V}/contacts/{}", contact["id"])).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown["user"]["reference"], user, "{shown}");
        let (status, member) = w.v.get(shown["user"]["href"].as_str().expect("href")).await;
        assert_eq!(
            (status, &member["reference"]),
            (StatusCode::OK, &json!(user))
        );
    }
    let (_, list) = w.v.get(&format!("{V}/contacts")).await;
    for contact in list["data"].as_array().expect("data") {
        assert!(contact["user"].is_object(), "{contact}");
    }

    // The photo URL a client got works without the session, for every size; a name with a
    // wrong random part, another contact's id or another tenant's directory finds nothing,
    // and the URL stops working once the photo is replaced.
    let put = |bytes: Vec<u8>| {
        let request = w
            .native
            .request(Method::PUT, &format!("{}/photo", w.native_url(&by_admin)))
            .header("Content-Type", "image/png")
            .body(bytes);
        w.native.send(request)
    };
    assert_eq!(put(images::png(40, 30)).await.0, StatusCode::OK);
    let (_, shown) = w.v.get(&format!("{V}/contacts/{}", by_admin["id"])).await;
    let photo = shown["photo"].as_str().expect("a photo URL").to_owned();
    let (dir, file) = photo.rsplit_once('/').expect("a file name");
    let random = file
        .rsplit_once('_')
        .and_then(|(_, r)| r.strip_suffix(".png"))
        .expect("<contact>_<millis>_<random>.png");
    assert_eq!(random.len(), 32, "128 random bits: {file}");
    let anonymous = Client::new(&w.app);
    for variant in ["", "small_", "medium_"] {
        let (status, headers, _) = anonymous.bytes(&format!("{dir}/{variant}{file}")).await;
        assert_eq!(status, StatusCode::OK, "{variant}");
        assert_eq!(headers["content-type"], "image/png");
    }
    let flipped = file.replace(random, &"0".repeat(32));
    let elsewhere = dir.replace("/DEFAULT-", "/OTHER-");
    let other_contact = file.replacen(&by_admin["id"].to_string(), &by_dora["id"].to_string(), 1);
    for url in [
        format!("{dir}/{flipped}"),
        format!("{elsewhere}/{file}"),
        format!("{dir}/{other_contact}"),
    ] {
        let answer = anonymous.get(&url).await;
        assert_eq!(answer.0, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(answer.1["error"], "not_found");
    }
    assert_eq!(put(images::png(50, 30)).await.0, StatusCode::OK);
    assert_eq!(anonymous.bytes(&photo).await.0, StatusCode::NOT_FOUND);
}

app_tests!(
    contacts_written_elsewhere_have_a_user_and_photo_urls_need_no_session,
    login_sets_a_session_cookie_and_ajax_success_describes_the_session,
    the_seed_update_answers_the_success_example_member_by_member,
    a_form_update_reads_back_identically_through_the_native_api,
    every_documented_error_is_answered_and_changes_nothing,
    create_show_delete_external_ids_and_the_href_targets,
    a_member_of_several_tenants_names_the_organization_at_login,
);
