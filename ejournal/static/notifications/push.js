// «Получать уведомления на этом устройстве»: subscribes this browser to Web Push through
// the diary's service worker and hands the subscription to the server.
(() => {
  const button = document.getElementById("push-subscribe");
  if (!button) {
    return;
  }
  const status = document.getElementById("push-status");
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    status.textContent = "Этот браузер не умеет получать push-уведомления.";
    button.hidden = true;
    return;
  }
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];

  function serverKey(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function activated(registration) {
    if (registration.active) {
      return Promise.resolve(registration);
    }
    const worker = registration.installing || registration.waiting;
    return new Promise((resolve) => {
      worker.addEventListener("statechange", () => {
        if (worker.state === "activated") {
          resolve(registration);
        }
      });
    });
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "Включаем…";
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        status.textContent = "Браузер не разрешил уведомления: разрешите их в настройках сайта.";
        return;
      }
      const registration = await activated(
        await navigator.serviceWorker.register("/diary/sw.js", { scope: "/diary/" })
      );
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: serverKey(button.dataset.key),
      });
      const response = await fetch(button.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ subscription: subscription.toJSON() }),
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      status.textContent = (await response.json()).error;
    } catch (error) {
      status.textContent = "Не удалось включить уведомления: " + error.message;
    } finally {
      button.disabled = false;
    }
  });
})();
