-- wrk script: Zalo OA webhook deliveries (bench/zalo_webhook.sh), replayed
-- from a file of signed events that tests/zalo_post.py gen made (wrk
-- cannot hash): one "mac=<hex>\t<body>" a line, each event with its own
-- msg_id.  Thread k of n sends the lines k, k+n, k+2n... so no two threads
-- send the same event; a thread that runs out starts its lines again
-- (replays: counted by the script, which then says so).
local events = {}
local next_i = 1
local threads = {}

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

function init(args)
	local file, n, i = args[1], tonumber(args[2]), 0
	for line in io.lines(file) do
		if i % n == id then
			local tab = line:find("\t", 1, true)
			table.insert(events, { line:sub(1, tab - 1), line:sub(tab + 1) })
		end
		i = i + 1
	end
end

function request()
	local e = events[next_i]
	next_i = next_i % #events + 1
	return wrk.format("POST", "/zalo/webhook", {
		["Content-Type"] = "application/json",
		["X-ZEvent-Signature"] = e[1],
	}, e[2])
end
