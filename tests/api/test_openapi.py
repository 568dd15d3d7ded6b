def test_health_needs_no_token_and_reports_its_parts(db, client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "0.1.0", "database": "ok", "queue": "ok"}


def test_the_openapi_document_describes_the_api(db, client):
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "ventanilla"
    paths = set(spec["paths"])
    assert {
        "/api/v1/health",
        "/api/v1/channels",
        "/api/v1/conversations",
        "/api/v1/conversations/{key}",
        "/api/v1/conversations/{key}/messages",
        "/api/v1/desks/{slug}",
        "/api/v1/desks/{slug}/request-types",
    } <= paths
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_api_docs_are_served_without_a_cdn(db, client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn." not in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_every_schema_of_the_document_is_the_one_its_operation_reads(db, client):
    """The document names each request and answer schema once: two classes of one name
    (the desk's texts and the guide's both had a TextIn) left one operation documented
    with the other's fields."""
    from ninja import Schema

    def every(kind: type) -> list[type]:
        found = []
        for sub in kind.__subclasses__():
            found += [sub, *every(sub)]
        return found

    ours = [k for k in every(Schema) if k.__module__.startswith("ventanilla.")]
    names = [k.__name__ for k in ours]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    spec = client.get("/api/openapi.json").json()
    put = spec["paths"]["/api/v1/desks/{slug}/texts/{language}"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"msgid", "text"} <= set(spec["components"]["schemas"][body]["properties"])
