"""Every port the sandbox opens refuses other web sites, not only the page's port.

A page open in the same browser can reach 127.0.0.1 by DNS rebinding (its own name pointed
at 127.0.0.1, so the request carries its Host) and by blind cross-site posts (an Origin
header, or a form/text body that needs no CORS preflight). Each is tried on the page's port
and on the emulator's port, over real HTTP; the journal is neither read nor written.
"""

from __future__ import annotations

import aiohttp

from reflect_bot.sandbox import Sandbox


def _ports(sandbox: Sandbox) -> dict[str, int]:
    return {"page": sandbox.port, "emulator": sandbox.emulator.port}


async def test_a_rebound_host_reads_nothing_on_any_port(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    await sandbox.emulator.send_text(sandbox.user_id, "/start")
    await sandbox.emulator.wait_for_bot_message(sandbox.user_id)
    for name, port in _ports(sandbox).items():
        messages = f"http://127.0.0.1:{port}/_emulator/chats/{sandbox.user_id}/messages"
        async with http.get(messages) as response:
            assert response.status == 200, f"{name}: the page's own request is answered"
        async with http.get(messages, headers={"Host": f"rebound.example:{port}"}) as response:
            assert response.status == 403, name
            assert "Welcome" not in await response.text(), name


async def test_cross_site_posts_change_nothing_on_any_port(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    for name, port in _ports(sandbox).items():
        messages = f"http://127.0.0.1:{port}/_emulator/chats/{sandbox.user_id}/messages"
        async with http.post(
            messages, json={"text": "/forget"}, headers={"Origin": "https://elsewhere.example"}
        ) as response:
            assert response.status == 403, name
        # text/plain: what a cross-site form or fetch(no-cors) can send without a preflight.
        async with http.post(
            messages, data='{"text": "/forget"}', headers={"Content-Type": "text/plain"}
        ) as response:
            assert response.status == 415, name
        async with http.post(
            messages,
            data={"text": "/forget"},
            headers={"Host": f"rebound.example:{port}"},
        ) as response:
            assert response.status in {403, 415}, name
    assert sandbox.emulator.messages(sandbox.user_id) == []
    # The Bot API routes carry the (published) sandbox token: refused cross-site as well.
    send = f"{sandbox.emulator.base_url}{sandbox.emulator.token}/sendMessage"
    async with http.post(
        send,
        data={"chat_id": str(sandbox.user_id), "text": "forged"},
        headers={"Origin": "https://elsewhere.example"},
    ) as response:
        assert response.status == 403
    assert sandbox.emulator.messages(sandbox.user_id) == []
