/**
 * The demo program (`npm run demo`): uses the client that pyrogen generated from the live
 * music server and its Python source (examples/music-server.generated.ts) — typed calls and
 * attributes without a cast, a oneway call, a batch, an async call, an iterator and a
 * remote exception with its remote traceback.
 */
import { formatRemoteTraceback, PyroError } from "@pyrogen/runtime";
import { connectMusicServer } from "./music-server.generated.js";

const music = connectMusicServer(); // PYRONAME:example.musicserver, via the name server
try {
  // Types inferred from the unannotated server: list_songs() → list[str], play() → str, …
  const songs: string[] = await music.list_songs();
  console.log("songs:          ", songs);
  const description: string = await music.play("Wonderwall", true); // loop: bool, its default's
  console.log("play:           ", description);
  console.log("current song:   ", await music.current_song());

  const volume: number = await music.volume;
  console.log("volume:         ", volume);
  await music.$set("volume", 8); // `status` has no setter: $set("status", …) does not compile
  console.log("volume after set:", await music.volume);

  await music.stop(); // oneway: resolves as soon as the call is sent
  console.log("stop():          sent (oneway, no reply awaited)");

  const [played, current, queued] = await music.$batch((b) => [
    b.play("Zombie"),
    b.current_song(),
    b.enqueue("Creep", "Wonderwall"),
  ]);
  console.log("batch (1 message):", played, "|", current, "|", queued, "queued");

  const future = music.$async.list_songs();
  console.log("async call:      ready =", future.ready);
  console.log("async result:   ", await future.value);

  for await (const song of music.$iter.songs()) console.log("streamed item:  ", song);

  try {
    await music.fail("the amplifier is on fire");
  } catch (error) {
    if (!(error instanceof PyroError)) throw error;
    console.log(`caught ${error.remote?.type ?? error.code}: ${error.message}`);
    process.stdout.write(formatRemoteTraceback(error));
  }
} finally {
  music.$release();
}
