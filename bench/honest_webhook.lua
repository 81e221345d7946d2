-- wrk script: Telegram webhook deliveries on the honest registry
-- (bench/honest_seed.sh): each update a "/tiendo T P% ..." from a random
-- linked person about a random task their agency leads.
--   wrk ... -s bench/honest_webhook.lua URL -- OUTDIR/people.tsv
-- Same JSON shape as bench/webhook.lua; update ids unique per thread.
local counter = 0
local thread_id = 0
local threads = {}
local chats, agency_of, tasks_of = {}, {}, {}

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

function init(args)
	thread_id = id
	counter = 0
	local path = args[1] or "people.tsv"
	local f = assert(io.open(path, "r"), "honest_webhook.lua: cannot read " .. path)
	for line in f:lines() do
		local chat, _, agency, list = line:match("^(%d+)\t(%d+)\t(%d+)\t([%d,]+)$")
		if chat then
			chats[#chats + 1] = tonumber(chat)
			agency_of[#chats] = agency
			if not tasks_of[agency] then
				local t = {}
				for n in list:gmatch("%d+") do t[#t + 1] = tonumber(n) end
				tasks_of[agency] = t
			end
		end
	end
	f:close()
	assert(#chats > 0, "honest_webhook.lua: no people in " .. path)
	math.randomseed(12345 + thread_id)
end

function request()
	counter = counter + 1
	local update = 100000000 * (thread_id + 1) + counter
	local i = math.random(#chats)
	local chat = chats[i]
	local tasks = tasks_of[agency_of[i]]
	local task = tasks[math.random(#tasks)]
	-- 0-99: a report of progress (100% is /xong), so that no task closes meanwhile.
	local pct = math.random(0, 99)
	local body = string.format(
		'{"update_id":%d,"message":{"message_id":%d,"date":1759200000,' ..
		'"from":{"id":%d,"is_bot":false,"first_name":"Cán bộ"},' ..
		'"chat":{"id":%d,"type":"private","first_name":"Cán bộ"},' ..
		'"text":"/tiendo %d %d%% đã cập nhật"}}', update, counter, chat, chat, task, pct)
	return wrk.format("POST", "/telegram/webhook", {
		["Content-Type"] = "application/json",
		["X-Telegram-Bot-Api-Secret-Token"] = "bench-secret",
	}, body)
end
