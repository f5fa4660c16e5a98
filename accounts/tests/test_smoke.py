def test_student_logs_in_and_reads_me(api_client, student):
    response = api_client.post(
        "/api/accounts/login-student/", {"email": student.email.upper(), "password": "Kente-Pattern-2024"}, format="json"
    )
    assert response.status_code == 200, response.content
    access = response.json()["data"]["access"]
    me = api_client.get("/api/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert me.status_code == 200
    assert me.json()["user_id"] == student.user_id
