// Server-Sent Events read from a fetch response, for `guv ui` (app.js) and the `guv web`
// dashboard (dashboard.js): EventSource can send no header, neither guv ui's Authorization nor
// the dashboard's CSRF header.
(() => {
  /** Calls onMessage(event, data) for each event of the stream, data parsed as JSON. */
  async function read(response, onMessage) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) onMessage(event, JSON.parse(data.join('\n')));
      }
    }
  }

  window.GuvEventStream = { read };
})();
