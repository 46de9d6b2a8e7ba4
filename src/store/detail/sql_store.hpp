#pragma once
// The Store written once in SQL shared by every engine, over a ConnectionPool.

#include <memory>

#include "store/detail/change_watch.hpp"
#include "store/detail/connection.hpp"
#include "store/store.hpp"

namespace deskbridge::store::detail {

// `watch` may be null: the engine then reports no change generation.
std::unique_ptr<Store> make_sql_store(ConnectionPool::Factory factory,
                                      unsigned pool_size,
                                      std::unique_ptr<ChangeWatch> watch);

}  // namespace deskbridge::store::detail
