-- wrk script for bench/speed.py: each wrk thread is one buyer (one connection) that rents a
-- number with getNum and closes it with setOperationOk, back to back.
-- SIMGATE_BENCH_KEYS: the buyers' API keys, comma-separated, one per thread.
-- Prints, when done: rentals (closed with response 1), busy (TRY_AGAIN_LATER answers) and
-- refused (any other getNum answer without a tzid).

local keys = {}
for k in string.gmatch(os.getenv("SIMGATE_BENCH_KEYS") or "", "[^,]+") do
  keys[#keys + 1] = k
end
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("key", keys[#threads])
end

function init(args)
  tzid = nil
  rentals = 0
  busy = 0
  refused = 0
end

function request()
  if tzid then
    return wrk.format("GET", "/api/setOperationOk.php?apikey=" .. key .. "&tzid=" .. tzid)
  end
  return wrk.format("GET", "/api/getNum.php?apikey=" .. key .. "&service=vk")
end

function response(status, headers, body)
  if tzid then
    if string.find(body, '"response":%s*1') then
      rentals = rentals + 1
    end
    tzid = nil
    return
  end
  tzid = string.match(body, '"tzid":%s*(%d+)')
  if tzid == nil then
    if string.find(body, "TRY_AGAIN_LATER") then
      busy = busy + 1
    else
      refused = refused + 1
    end
  end
end

function done(summary, latency, requests)
  local totals = { rentals = 0, busy = 0, refused = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  io.write(string.format("rentals %d\nbusy %d\nrefused %d\n",
    totals.rentals, totals.busy, totals.refused))
end
