// One batch through batchyard with the official OpenAI Node SDK: upload, create, poll,
// download. Usage: OPENAI_API_KEY=... node batch.cjs BASE_URL requests.jsonl results.jsonl
const fs = require("node:fs");
const OpenAI = require("openai");

async function main() {
  const [baseURL, input, output] = process.argv.slice(2);
  const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY });
  const file = await client.files.create({ file: fs.createReadStream(input), purpose: "batch" });
  let batch = await client.batches.create({
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
    metadata: { client: "node" },
  });
  while (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    batch = await client.batches.retrieve(batch.id);
  }
  if (batch.status !== "completed") throw new Error(`batch ${batch.id} ended ${batch.status}`);
  const content = await client.files.content(batch.output_file_id);
  fs.writeFileSync(output, Buffer.from(await content.arrayBuffer()));
  const listed = [];
  for await (const b of client.batches.list({ limit: 10 })) listed.push(b.id);
  console.log(JSON.stringify({ id: batch.id, counts: batch.request_counts, listed }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
